/**
 * How a one-off Graph call (test-send, handover) answers the API caller (SPEC §9):
 * 200 with the result, 422 when Facebook refused, 502 when it gave no answer.
 */
import { HttpException, HttpStatus } from '@nestjs/common';
import type { GraphFailure } from './graph-errors';
import type { GraphResult } from './messenger-client.service';

export function publicFailure(failure: GraphFailure) {
  return {
    code: failure.code,
    subcode: failure.subcode,
    message: failure.message,
    class: failure.class,
    reason: failure.reason,
    fbtraceId: failure.fbtraceId,
  };
}

/** The value on success; otherwise throws the 422 or 502 answer. */
export function valueOrGraphError<T>(result: GraphResult<T>): T {
  if (result.ok) return result.value;
  const status =
    result.failure.kind === 'graph' ? HttpStatus.UNPROCESSABLE_ENTITY : HttpStatus.BAD_GATEWAY;
  throw new HttpException(
    { ok: false, message: result.failure.message, error: publicFailure(result.failure) },
    status,
  );
}
