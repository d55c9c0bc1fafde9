/**
 * Serves the marketer console (built by Vite from src/console) at /console from
 * the service itself: no second server, no CDN. The console holds no secret; it
 * asks for an API token and calls the same authenticated REST API as anyone.
 */
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * dist/console, from src/common (ts-node, tests) and from dist/common (production)
 * alike; CONSOLE_BUILD_DIR moves it (a developer's parallel test runs each build their own).
 */
export const CONSOLE_BUILD_DIR =
  process.env.CONSOLE_BUILD_DIR ?? join(__dirname, '..', '..', 'dist', 'console');

// Everything the console loads comes from this service; API calls go to the same origin.
const CONSOLE_POLICY = [
  "default-src 'self'",
  "img-src 'self' data: https:",
  "style-src 'self'",
  "script-src 'self'",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

export function serveConsole(app: NestExpressApplication, dir = CONSOLE_BUILD_DIR): void {
  // Looked for once, at start: the build comes before the service starts (npm run build, the demo, the tests).
  const built = existsSync(join(dir, 'index.html'));
  app.use('/console', (_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Content-Security-Policy', CONSOLE_POLICY);
    res.setHeader('Referrer-Policy', 'no-referrer');
    if (built) return next();
    res
      .status(503)
      .type('text/plain')
      .send('The console is not built: run `npm run build`, then start the service again.');
  });
  if (!built) return;
  app.useStaticAssets(dir, {
    prefix: '/console',
    index: 'index.html',
    setHeaders: (res: Response, path: string) => {
      // File names under assets/ carry their content hash: they never change.
      if (path.startsWith(join(dir, 'assets')))
        res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    },
  });
}
