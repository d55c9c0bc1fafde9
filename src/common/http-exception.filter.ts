/**
 * Renders every failure in the SPEC §9 shape. Errors that are not HttpExceptions
 * keep a status only when they carry one (body-parser's 400 and 413); anything
 * else is a 500 whose message says nothing about internals.
 */
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { Response } from 'express';

@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, body } = this.render(exception);
    if (status >= 500) {
      this.logger.error(exception instanceof Error ? exception.stack ?? exception.message : String(exception));
    }
    if (response.headersSent) return;
    response.status(status).json(body);
  }

  private render(exception: unknown): { status: number; body: Record<string, unknown> } {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const payload = exception.getResponse();
      const fields = typeof payload === 'string' ? { message: payload } : (payload as Record<string, unknown>);
      const message = Array.isArray(fields.message) ? fields.message.join('; ') : fields.message;
      return {
        status,
        body: { statusCode: status, error: STATUS_CODES[status], ...fields, message },
      };
    }
    const status = bodyParserStatus(exception);
    if (status) {
      const message =
        status === HttpStatus.PAYLOAD_TOO_LARGE ? 'request body is too large' : 'request body is not valid JSON';
      return { status, body: { statusCode: status, error: STATUS_CODES[status], message } };
    }
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      body: { statusCode: 500, error: STATUS_CODES[500], message: 'internal error' },
    };
  }
}

function bodyParserStatus(exception: unknown): number | undefined {
  if (typeof exception !== 'object' || exception === null) return undefined;
  const { status, type } = exception as { status?: unknown; type?: unknown };
  if (typeof type !== 'string' || !type.startsWith('entity.')) return undefined;
  return status === 413 ? 413 : 400;
}
