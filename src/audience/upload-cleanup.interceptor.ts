import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { Request } from 'express';
import { catchError, type Observable } from 'rxjs';
import { removeUploadsOf } from './csv-upload';

/**
 * Removes the multipart upload when the request fails before an import took the
 * file: multer's own errors (truncated body, too large; multer can lose track of a
 * file it was still writing) and failures after it (a malformed pageId fails in the
 * pipes). Listed before FileInterceptor, so it wraps it; the answer waits for the removal.
 */
@Injectable()
export class RemoveUploadOnError implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<Request>();
    return next.handle().pipe(
      catchError(async (error: unknown) => {
        await removeUploadsOf(req);
        throw error;
      }),
    );
  }
}
