import {
  classifyGraphError,
  classifyTransportFailure,
  classifyUnexpectedResponse,
  GRAPH_ERROR_TABLE,
} from './graph-errors';

describe('classifyGraphError: one case per row of SPEC §4', () => {
  const cases: [
    code: number,
    subcode: number | undefined,
    httpStatus: number,
    cls: string,
    effect: string,
    reason: string,
  ][] = [
    [4, 2018354, 400, 'permanent', 'frequency', 'frequency_cap'],
    [9, 2018352, 400, 'permanent', 'frequency', 'frequency_cap'],
    [551, 1545041, 400, 'permanent', 'suppress_user', 'graph_551_1545041'],
    [200, 1545041, 403, 'permanent', 'suppress_user', 'graph_200_1545041'],
    [10, 2018108, 400, 'permanent', 'suppress_user', 'graph_10_2018108'],
    [10, 2018278, 400, 'permanent', 'window_closed', 'window_closed'],
    [10, 2018065, 400, 'permanent', 'window_closed', 'window_closed'],
    [10, 2018300, 400, 'permanent', 'thread_owned', 'thread_owned_by_other_app'],
    [10, 1893063, 400, 'page_fatal', 'pause_page', 'graph_10_1893063'],
    [10, 2018028, 400, 'page_fatal', 'pause_page', 'graph_10_2018028'],
    [100, 2018001, 400, 'permanent', 'no_such_user', 'graph_100_2018001'],
    [100, 1893061, 400, 'permanent', 'invalid_parameter', 'retired_tag'],
    [100, undefined, 400, 'permanent', 'invalid_parameter', 'graph_100'],
    [1, 1357046, 500, 'ambiguous', 'none', 'graph_1_1357046'],
    [1, 99, 400, 'page_fatal', 'pause_page', 'graph_1_99'],
    [2, undefined, 500, 'retryable', 'none', 'graph_2'],
    [613, undefined, 400, 'retryable', 'throttled', 'graph_613'],
    [190, undefined, 400, 'page_fatal', 'pause_page', 'graph_190'],
    [102, undefined, 400, 'page_fatal', 'pause_page', 'graph_102'],
    [3, undefined, 400, 'page_fatal', 'pause_page', 'graph_3'],
    [368, undefined, 400, 'page_fatal', 'pause_page', 'graph_368'],
    [10, undefined, 403, 'page_fatal', 'pause_page', 'graph_10'],
    [230, undefined, 403, 'page_fatal', 'pause_page', 'graph_230'],
  ];

  it('has a case for every row of the table', () => {
    const uncovered = GRAPH_ERROR_TABLE.filter(
      (row) =>
        !cases.some(
          ([code, subcode]) =>
            row.codes.includes(code) &&
            (row.subcode === undefined ||
              (row.subcode === 'none' ? subcode === undefined : row.subcode === subcode)),
        ),
    );
    expect(uncovered).toEqual([]);
  });

  it.each(cases)(
    'code %p subcode %p (HTTP %p) is %s / %s',
    (code, subcode, httpStatus, cls, effect, reason) => {
      const failure = classifyGraphError(
        { code, error_subcode: subcode, message: 'm', fbtrace_id: 'T' },
        httpStatus,
      );
      expect(failure).toMatchObject({
        kind: 'graph',
        class: cls,
        effect,
        reason,
        code,
        subcode,
        fbtraceId: 'T',
        httpStatus,
      });
    },
  );

  it.each([1, 1200])('transient code %p is retryable', (code) => {
    expect(classifyGraphError({ code }, 500)).toMatchObject({ class: 'retryable', effect: 'none' });
  });

  it.each([4, 17, 32, 341, 80006])('throttling code %p is retryable and throttled', (code) => {
    expect(classifyGraphError({ code }, 400)).toMatchObject({
      class: 'retryable',
      effect: 'throttled',
    });
  });

  it('retries 1 with any other subcode: only 1357046 and 99 are singled out', () => {
    expect(classifyGraphError({ code: 1, error_subcode: 12345 }, 500)).toMatchObject({
      class: 'retryable',
      effect: 'none',
    });
  });

  it('treats 4 with another subcode as throttling, not frequency', () => {
    expect(classifyGraphError({ code: 4, error_subcode: 1 }, 400)).toMatchObject({
      class: 'retryable',
      effect: 'throttled',
    });
  });

  it('treats 200 with any other subcode as a Page permission problem', () => {
    expect(classifyGraphError({ code: 200, error_subcode: 2018028 }, 403)).toMatchObject({
      class: 'page_fatal',
    });
  });

  it('fails the user, not the Page, on 10 with an unlisted subcode', () => {
    expect(classifyGraphError({ code: 10, error_subcode: 2018999 }, 400)).toMatchObject({
      class: 'permanent',
      effect: 'none',
    });
  });

  it('falls back on the HTTP status for unknown codes', () => {
    expect(classifyGraphError({ code: 99999 }, 503)).toMatchObject({
      class: 'retryable',
      reason: 'graph_99999',
    });
    expect(classifyGraphError({ code: 99999 }, 400)).toMatchObject({
      class: 'permanent',
      reason: 'graph_99999',
    });
  });
});

describe('classifyTransportFailure', () => {
  it.each([
    [{ errorCode: 'ECONNREFUSED', written: false }, 'retryable', 'connection_refused'],
    [{ errorCode: 'ENOTFOUND', written: false }, 'retryable', 'graph_unreachable'],
    [{ errorCode: 'ETIMEDOUT', written: false }, 'retryable', 'timeout_before_write'],
    [{ errorCode: 'ECONNRESET', written: false }, 'retryable', 'reset_before_write'],
    [{ errorCode: 'ETIMEDOUT', written: true }, 'ambiguous', 'timeout_after_write'],
    [{ errorCode: 'ECONNABORTED', written: true }, 'ambiguous', 'timeout_after_write'],
    [{ errorCode: 'ECONNRESET', written: true }, 'ambiguous', 'reset_after_write'],
    [{ errorCode: undefined, written: true }, 'ambiguous', 'reset_after_write'],
  ])('%p is %s (%s)', (facts, cls, reason) => {
    expect(classifyTransportFailure(facts)).toMatchObject({
      kind: 'transport',
      class: cls,
      reason,
    });
  });
});

describe('classifyUnexpectedResponse', () => {
  it('retries a 5xx page, calls a bodiless 200 unknown, fails a 4xx', () => {
    expect(classifyUnexpectedResponse(502)).toMatchObject({
      class: 'retryable',
      reason: 'http_5xx',
    });
    expect(classifyUnexpectedResponse(200)).toMatchObject({
      class: 'ambiguous',
      reason: 'unexpected_response',
    });
    expect(classifyUnexpectedResponse(404)).toMatchObject({
      class: 'permanent',
      reason: 'http_404',
    });
  });
});
