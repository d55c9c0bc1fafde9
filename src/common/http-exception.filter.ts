/**
 * Renders every failure in the SPEC §9 shape. Errors that are not HttpExceptions
 * keep their status only when they mark themselves safe to show (body-parser's
 * 413 and 415) or say the database is unreachable (503); anything else is a 500
 * whose message says nothing about internals.
 */
import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { Response } from 'express';
import { databaseUnavailable } from './database-availability.guard';
import { isDatabaseUnavailableError } from './mongo-errors';

@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const failure = isDatabaseUnavailableError(exception) ? databaseUnavailable() : exception;
    const { status, body } = this.render(failure);
    if (status >= 500) this.log(exception, failure instanceof HttpException);
    if (response.headersSent) return;
    response.status(status).json(body);
  }

  // A stack only for the unexpected; an outage or an unreachable Graph is one line, not one stack a request.
  private log(exception: unknown, expected: boolean): void {
    if (expected) {
      this.logger.warn(describe(exception));
    } else {
      this.logger.error(
        exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
      );
    }
  }

  private render(exception: unknown): { status: number; body: Record<string, unknown> } {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const payload = exception.getResponse();
      const fields =
        typeof payload === 'string' ? { message: payload } : (payload as Record<string, unknown>);
      const message = Array.isArray(fields.message) ? fields.message.join('; ') : fields.message;
      return {
        status,
        body: { statusCode: status, error: STATUS_CODES[status], ...fields, message },
      };
    }
    const clientError = exposedClientError(exception);
    if (clientError) {
      const { status } = clientError;
      const message = status === 413 ? 'request body is too large' : clientError.message;
      return { status, body: { statusCode: status, error: STATUS_CODES[status], message } };
    }
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      body: { statusCode: 500, error: STATUS_CODES[500], message: 'internal error' },
    };
  }
}

function describe(exception: unknown): string {
  return exception instanceof Error ? `${exception.name}: ${exception.message}` : String(exception);
}

/** body-parser's http-errors (413 too large, 415 charset, …) mark 4xx as safe to show with `expose`. */
function exposedClientError(exception: unknown): { status: number; message: string } | undefined {
  if (!(exception instanceof Error)) return undefined;
  const { status, expose } = exception as Error & { status?: unknown; expose?: unknown };
  if (expose !== true || typeof status !== 'number' || status < 400 || status > 499)
    return undefined;
  return { status, message: exception.message };
}
