/**
 * The error shape of SPEC §9: {statusCode, error, message, details?: [{field, reason}]}.
 * Services throw these (or Nest's HttpExceptions); the filter renders them all alike.
 */
import { HttpException, HttpStatus } from '@nestjs/common';

export interface ErrorDetail {
  field: string;
  reason: string;
}

/**
 * Problems found by a pure checker (rule compiler, message composer), each with
 * the path of its field. Services turn them into a 400 with ApiError.fromProblems.
 */
export class FieldProblems extends Error {
  constructor(readonly details: ErrorDetail[]) {
    super(describeProblems(details));
  }
}

/** `field reason; field reason`, the message that goes with a list of details. */
export function describeProblems(details: ErrorDetail[]): string {
  return details.map((detail) => `${detail.field} ${detail.reason}`).join('; ');
}

export class ApiError extends HttpException {
  constructor(
    status: HttpStatus,
    message: string,
    details?: ErrorDetail[],
    extra?: Record<string, unknown>,
  ) {
    super({ message, ...(details ? { details } : {}), ...extra }, status);
  }

  static badRequest(message: string, details?: ErrorDetail[]): ApiError {
    return new ApiError(HttpStatus.BAD_REQUEST, message, details);
  }

  /** A 400 listing the problems; `prefix` says what they concern. */
  static fromProblems(problems: FieldProblems | ErrorDetail[], prefix = ''): ApiError {
    const details = problems instanceof FieldProblems ? problems.details : problems;
    return ApiError.badRequest(
      `${prefix}${describeProblems(details) || 'request is not valid'}`,
      details,
    );
  }

  static invalidField(field: string, reason: string): ApiError {
    return new ApiError(HttpStatus.BAD_REQUEST, `${field} ${reason}`, [{ field, reason }]);
  }

  static notFound(what: string): ApiError {
    return new ApiError(HttpStatus.NOT_FOUND, `${what} not found`);
  }

  /** A state conflict; `code` is a stable machine-readable word such as `page_exists`. */
  static conflict(code: string, message: string, extra?: Record<string, unknown>): ApiError {
    return new ApiError(HttpStatus.CONFLICT, message, undefined, { error: code, ...extra });
  }
}
