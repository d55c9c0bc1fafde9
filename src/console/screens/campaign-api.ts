/**
 * The one campaign call whose refusal carries more than api() keeps: a test-send
 * to one PSID answers 422/502 with Facebook's classified error
 * ({ok: false, message, error: {code, subcode, reason, …}}), which the marketer
 * needs to see. Every other call goes through api().
 */
import { api, ApiFailure, session } from '../api';
import type { TestSendError, TestSendResult } from './campaign-types';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Sends the saved message to one user: its answer, or the refusal with Facebook's error. */
export async function testSendToOne(
  campaignId: string,
  psid: string,
  useToken: boolean,
): Promise<TestSendResult> {
  let response: Response;
  try {
    response = await fetch(`/api/campaigns/${campaignId}/test-send`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${session.token() ?? ''}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ psid, ...(useToken ? { useToken: true } : {}) }),
    });
  } catch {
    throw new ApiFailure(0, 'the service cannot be reached; check your connection and try again');
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  const answer = isObject(body) ? body : {};
  if (response.ok) return { psid, ok: true, messageId: String(answer.messageId) };
  // Facebook's refusal (422) or no answer from it (502): one result, shown like a tester's.
  if ((response.status === 422 || response.status === 502) && isObject(answer.error))
    return { psid, ok: false, error: answer.error as TestSendError };
  // Refused before any call to Facebook: an unknown user (404), a thread another app holds or no token (409).
  if (response.status === 404 || response.status === 409)
    return {
      psid,
      ok: false,
      error: {
        reason:
          typeof answer.error === 'string' && response.status === 409
            ? answer.error
            : 'unknown_user',
        message: typeof answer.message === 'string' ? answer.message : undefined,
      },
    };
  if (response.status === 401) {
    // api() knows how to ask for the token again.
    await api('GET', '/pages');
  }
  const message =
    typeof answer.message === 'string' ? answer.message : `the service answered ${response.status}`;
  throw new ApiFailure(
    response.status,
    message,
    Array.isArray(answer.details) ? (answer.details as { field: string; reason: string }[]) : [],
    typeof answer.error === 'string' ? answer.error : undefined,
  );
}
