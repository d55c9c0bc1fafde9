/**
 * A test-send to one PSID: its refusal is one result to show, not a failure of
 * the screen. Facebook's refusal (422) or no answer from it (502) carries the
 * classified Graph error ({ok: false, error: {code, subcode, class, reason,
 * message}}), which ApiFailure keeps in `answer`.
 */
import { api, ApiFailure } from '../api';
import type { TestSendError, TestSendResult } from './campaign-types';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Sends the saved message to one user: its answer, or the refusal with Facebook's error. */
export async function testSendToOne(
  campaignId: string,
  psid: string,
  useToken: boolean,
): Promise<TestSendResult> {
  try {
    const sent = await api<{ messageId?: unknown }>('POST', `/campaigns/${campaignId}/test-send`, {
      psid,
      ...(useToken ? { useToken: true } : {}),
    });
    return { psid, ok: true, messageId: String(sent?.messageId) };
  } catch (caught) {
    if (!(caught instanceof ApiFailure)) throw caught;
    const answer = isObject(caught.answer) ? caught.answer : {};
    if ((caught.status === 422 || caught.status === 502) && isObject(answer.error))
      return { psid, ok: false, error: answer.error as TestSendError };
    // Refused before any call to Facebook: an unknown user (404), a thread another app holds or no token (409).
    if (caught.status === 404 || caught.status === 409)
      return {
        psid,
        ok: false,
        error: {
          reason: caught.status === 409 && caught.code ? caught.code : 'unknown_user',
          message: caught.message,
        },
      };
    throw caught;
  }
}
