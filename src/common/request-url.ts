/**
 * A path or query that is not valid percent-encoding (`?%ZZ=1`, `/%E0%A4%A`) is a
 * 400 on every route, checked once before routing. Express decodes lazily and
 * unevenly: the query parser keeps `%ZZ` as is, route parameters throw.
 */
import type { NextFunction, Request, Response } from 'express';
import { ApiError } from './api-error';

export function isWellEncoded(url: string): boolean {
  try {
    decodeURIComponent(url);
    return true;
  } catch {
    return false;
  }
}

export function refuseMalformedUrl(req: Request, _res: Response, next: NextFunction): void {
  next(
    isWellEncoded(req.url)
      ? undefined
      : ApiError.badRequest('the URL is not valid percent-encoding'),
  );
}
