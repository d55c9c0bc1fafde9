/**
 * The console talks only to the public REST API, with the API token the marketer
 * entered once: kept in this browser session, sent as the bearer token.
 */

const TOKEN_KEY = 'mcc.apiToken';

export interface ErrorDetail {
  field: string;
  reason: string;
}

/** An answer other than 2xx, in the SPEC §9 shape: the message, and per field the reasons. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: ErrorDetail[] = [],
    /** The stable word of a conflict, such as `test_send_required`. */
    readonly code?: string,
    /** The whole answer, for the fields an endpoint adds (a refused test-send's Graph `error`). */
    readonly answer?: unknown,
  ) {
    super(message);
  }

  /** The reason given for `field` (or one of its children, such as `message.text` for `message`). */
  reasonFor(field: string): string | undefined {
    const detail = this.details.find(
      (d) =>
        d.field === field || d.field.startsWith(`${field}.`) || d.field.startsWith(`${field}[`),
    );
    return detail
      ? detail.field === field
        ? detail.reason
        : `${detail.field} ${detail.reason}`
      : undefined;
  }
}

export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  signIn: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  signOut: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** Told when the API refuses the token, so the console asks for it again. */
let onUnauthorised: () => void = () => undefined;
export function whenUnauthorised(handler: () => void): void {
  onUnauthorised = handler;
}

type Body = Record<string, unknown> | unknown[] | FormData | undefined;

export async function api<T = unknown>(
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  path: string,
  body?: Body,
  options: { token?: string; signal?: AbortSignal } = {},
): Promise<T> {
  const headers: Record<string, string> = {
    Authorization: `Bearer ${options.token ?? session.token() ?? ''}`,
  };
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let response: Response;
  try {
    response = await fetch(`/api${path}`, {
      method,
      headers,
      body: payload,
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiFailure(0, 'the service cannot be reached; check your connection and try again');
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const parsed = parse(text);
  if (response.ok) return parsed as T;
  const answer = (parsed ?? {}) as { message?: unknown; details?: ErrorDetail[]; error?: unknown };
  const message = Array.isArray(answer.message)
    ? answer.message.join('; ')
    : typeof answer.message === 'string'
      ? answer.message
      : `the service answered ${response.status}`;
  if (response.status === 401 && !options.token) onUnauthorised();
  throw new ApiFailure(
    response.status,
    message,
    Array.isArray(answer.details) ? answer.details : [],
    typeof answer.error === 'string' ? answer.error : undefined,
    parsed,
  );
}

function parse(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** A query string from the defined values only. */
export function query(params: Record<string, string | number | boolean | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** Downloads an authenticated file (the CSV export) through a blob, since a link cannot carry the bearer token. */
export async function download(path: string, filename: string): Promise<void> {
  const response = await fetch(`/api${path}`, {
    headers: { Authorization: `Bearer ${session.token() ?? ''}` },
  });
  if (!response.ok) throw new ApiFailure(response.status, `the export failed (${response.status})`);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.click();
  URL.revokeObjectURL(url);
}
