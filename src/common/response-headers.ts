import type { NextFunction, Request, Response } from 'express';

/**
 * Set first, so every answer carries them, errors and 404s included: browsers
 * must not sniff a JSON or CSV answer into HTML, and answers hold personal data
 * that no cache may keep.
 */
export function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'no-store');
  next();
}
