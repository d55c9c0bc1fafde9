/**
 * What a request body may be: JSON (415 otherwise) and at most MAX_JSON_DEPTH
 * levels deep (400 otherwise: class-transformer recurses per level and overflows
 * the stack near 3,000, and no request of the API nests past a dozen).
 */
import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DECORATORS } from '@nestjs/swagger/dist/constants';
import type { IncomingHttpHeaders } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { ApiError } from './api-error';

export const MAX_JSON_DEPTH = 32;

/** Whether objects and arrays nest more than `limit` levels; iterative, so any depth is safe to check. */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth === limit) return true;
    for (const child of Object.values(current)) pending.push([child, depth + 1]);
  }
  return false;
}

/** Runs right after the JSON parser, before anything walks the body recursively. */
export function refuseDeepJson(req: Request, _res: Response, next: NextFunction): void {
  next(
    nestsDeeperThan(req.body, MAX_JSON_DEPTH)
      ? ApiError.badRequest('body is nested too deeply', [
          { field: 'body', reason: `must not nest more than ${MAX_JSON_DEPTH} levels` },
        ])
      : undefined,
  );
}

/** A body of at least one byte; a bodiless POST (`/pause`) sends none or `Content-Length: 0`. */
export function hasBody(headers: IncomingHttpHeaders): boolean {
  return headers['transfer-encoding'] !== undefined || Number(headers['content-length']) > 0;
}

/**
 * A body must be JSON, except on routes that declare their own media types with
 * @ApiConsumes (the CSV import takes multipart and text/csv and checks them itself).
 */
@Injectable()
export class JsonBodyGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const declared = this.reflector.getAllAndOverride<string[] | undefined>(
      DECORATORS.API_CONSUMES,
      [context.getHandler(), context.getClass()],
    );
    const req = context.switchToHttp().getRequest<Request>();
    if (declared?.length || !hasBody(req.headers) || req.is('application/json')) return true;
    throw new ApiError(
      HttpStatus.UNSUPPORTED_MEDIA_TYPE,
      'the request body must be JSON (Content-Type: application/json)',
      [{ field: 'Content-Type', reason: 'must be application/json' }],
    );
  }
}
