/**
 * Classification of Graph API failures (SPEC §4). The table is data so that each
 * row has its own test; order matters: subcode rows come before their code's
 * general row.
 */

/** What the sender does next: retry later, record `unknown`, fail the recipient, or stop the Page. */
export type FailureClass = 'retryable' | 'ambiguous' | 'permanent' | 'page_fatal';

/** The consequence beyond the delivery itself. */
export type FailureEffect =
  | 'none'
  | 'throttled'
  | 'suppress_user'
  | 'window_closed'
  | 'no_such_user'
  | 'invalid_parameter'
  | 'frequency'
  | 'thread_owned'
  | 'pause_page';

export interface GraphFailure {
  /** `graph`: Facebook answered with an error body; `transport`: no usable answer. */
  kind: 'graph' | 'transport';
  class: FailureClass;
  effect: FailureEffect;
  /** Stable key for stats' byReason, e.g. `graph_551_1545041`, `window_closed`, `timeout_after_write`. */
  reason: string;
  message: string;
  code?: number;
  subcode?: number;
  type?: string;
  fbtraceId?: string;
  httpStatus?: number;
}

interface ClassificationRow {
  codes: readonly number[];
  /** A number matches that subcode; `none` matches only an absent subcode; omitted matches any. */
  subcode?: number | 'none';
  class: FailureClass;
  effect: FailureEffect;
  /** Overrides the default `graph_<code>_<subcode>` where stats should name the cause. */
  reason?: string;
}

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, index) => from + index);

export const GRAPH_ERROR_TABLE: readonly ClassificationRow[] = [
  // Frequency caps on the user: do not retry this user now.
  {
    codes: [4],
    subcode: 2018354,
    class: 'permanent',
    effect: 'frequency',
    reason: 'frequency_cap',
  },
  {
    codes: [9],
    subcode: 2018352,
    class: 'permanent',
    effect: 'frequency',
    reason: 'frequency_cap',
  },
  // The person is unavailable or blocked the Page: suppress them.
  { codes: [551], class: 'permanent', effect: 'suppress_user' },
  { codes: [200], subcode: 1545041, class: 'permanent', effect: 'suppress_user' },
  { codes: [10], subcode: 2018108, class: 'permanent', effect: 'suppress_user' },
  // Outside the messaging window.
  {
    codes: [10],
    subcode: 2018278,
    class: 'permanent',
    effect: 'window_closed',
    reason: 'window_closed',
  },
  {
    codes: [10],
    subcode: 2018065,
    class: 'permanent',
    effect: 'window_closed',
    reason: 'window_closed',
  },
  // Another app (a person in the Page Inbox, say) controls the conversation now.
  {
    codes: [10],
    subcode: 2018300,
    class: 'permanent',
    effect: 'thread_owned',
    reason: 'thread_owned_by_other_app',
  },
  // The Page is restricted from messaging, or the app is not live.
  { codes: [10], subcode: 1893063, class: 'page_fatal', effect: 'pause_page' },
  { codes: [10], subcode: 2018028, class: 'page_fatal', effect: 'pause_page' },
  { codes: [100], subcode: 2018001, class: 'permanent', effect: 'no_such_user' },
  // A tag Facebook withdrew (April 2026): the campaign, not the user, must change.
  {
    codes: [100],
    subcode: 1893061,
    class: 'permanent',
    effect: 'invalid_parameter',
    reason: 'retired_tag',
  },
  { codes: [100], class: 'permanent', effect: 'invalid_parameter' },
  // Facebook reports an error after the message went out: a resend would send it twice.
  { codes: [1], subcode: 1357046, class: 'ambiguous', effect: 'none' },
  // A capability or permission the app lacks: every call of the Page would fail alike.
  { codes: [1], subcode: 99, class: 'page_fatal', effect: 'pause_page' },
  // Transient platform errors.
  { codes: [1, 2, 1200], class: 'retryable', effect: 'none' },
  // Throttling: retry, and the limiter backs off.
  { codes: [4, 17, 32, 341, 613, 80006], class: 'retryable', effect: 'throttled' },
  // The Page's token, session, permissions or standing: stop every campaign of the Page.
  { codes: [190, 102], class: 'page_fatal', effect: 'pause_page' },
  { codes: [3], class: 'page_fatal', effect: 'pause_page' },
  { codes: [368], class: 'page_fatal', effect: 'pause_page' },
  { codes: [10], subcode: 'none', class: 'page_fatal', effect: 'pause_page' },
  { codes: range(200, 299), class: 'page_fatal', effect: 'pause_page' },
];

function rowFor(code: number, subcode: number | undefined): ClassificationRow | undefined {
  return GRAPH_ERROR_TABLE.find((row) => {
    if (!row.codes.includes(code)) return false;
    if (row.subcode === undefined) return true;
    if (row.subcode === 'none') return subcode === undefined;
    return row.subcode === subcode;
  });
}

export function graphReason(code: number, subcode?: number): string {
  return subcode === undefined ? `graph_${code}` : `graph_${code}_${subcode}`;
}

/** Classifies an error body `{error: {code, error_subcode, message, type, fbtrace_id}}`. */
export function classifyGraphError(
  error: {
    code: number;
    error_subcode?: number;
    message?: string;
    type?: string;
    fbtrace_id?: string;
  },
  httpStatus: number,
): GraphFailure {
  const code = error.code;
  const subcode = typeof error.error_subcode === 'number' ? error.error_subcode : undefined;
  const row = rowFor(code, subcode);
  const fallback: Pick<ClassificationRow, 'class' | 'effect' | 'reason'> =
    httpStatus >= 500
      ? { class: 'retryable', effect: 'none' }
      : { class: 'permanent', effect: 'none' };
  const { class: failureClass, effect, reason } = row ?? fallback;
  return {
    kind: 'graph',
    class: failureClass,
    effect,
    reason: reason ?? graphReason(code, subcode),
    message: error.message ?? 'Graph API error',
    code,
    subcode,
    type: error.type,
    fbtraceId: error.fbtrace_id,
    httpStatus,
  };
}

/** How far a request got before it failed without an answer. */
export interface TransportFailureFacts {
  /** Node's error code: ECONNREFUSED, ECONNRESET, ETIMEDOUT, ENOTFOUND, … */
  errorCode?: string;
  /** Whether the whole request had been handed to the socket (it may have reached Facebook). */
  written: boolean;
}

/**
 * Before the request was written nothing reached Facebook, so a retry is safe;
 * after it, Facebook may have sent the message, so the outcome is `unknown`.
 */
export function classifyTransportFailure(facts: TransportFailureFacts): GraphFailure {
  const code = facts.errorCode ?? 'UNKNOWN';
  const timedOut = code === 'ETIMEDOUT' || code === 'ECONNABORTED';
  if (code === 'ECONNREFUSED') {
    return transport('retryable', 'connection_refused', 'the Graph API refused the connection');
  }
  if (['ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code)) {
    return transport('retryable', 'graph_unreachable', 'the Graph API host could not be reached');
  }
  if (!facts.written) {
    return timedOut
      ? transport('retryable', 'timeout_before_write', 'timed out before the request was sent')
      : transport(
          'retryable',
          'reset_before_write',
          'the connection failed before the request was sent',
        );
  }
  return timedOut
    ? transport('ambiguous', 'timeout_after_write', 'no answer in time after the request was sent')
    : transport(
        'ambiguous',
        'reset_after_write',
        'the connection failed after the request was sent',
      );
}

/** A response that is not a Graph body: a 5xx page is transient, a 2xx without ids may have sent. */
export function classifyUnexpectedResponse(httpStatus: number): GraphFailure {
  if (httpStatus >= 500) {
    return {
      ...transport('retryable', 'http_5xx', `the Graph API answered HTTP ${httpStatus}`),
      httpStatus,
    };
  }
  if (httpStatus < 300) {
    return {
      ...transport(
        'ambiguous',
        'unexpected_response',
        'the Graph API answered without the expected fields',
      ),
      httpStatus,
    };
  }
  return {
    ...transport('permanent', `http_${httpStatus}`, `the Graph API answered HTTP ${httpStatus}`),
    httpStatus,
  };
}

function transport(failureClass: FailureClass, reason: string, message: string): GraphFailure {
  return { kind: 'transport', class: failureClass, effect: 'none', reason, message };
}
