/**
 * pino options: JSON logs with every place a secret can sit redacted: the
 * Authorization header, the webhook signature, and query values such as
 * `hub.verify_token` that would otherwise show in the logged URL.
 */
import type { Params } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-hub-signature-256"]',
  'req.headers["x-hub-signature"]',
  '*.accessToken',
  '*.appSecret',
  '*.access_token',
  '*.token',
  '*.one_time_notif_token',
  '*.apiTokens',
  '*.encryptionKey',
];

const SECRET_QUERY_KEYS = /^(hub\.verify_token|access_token|appsecret_proof|token)$/i;

/** The URL with the values of secret query parameters replaced. */
export function redactUrl(url: string): string {
  const queryAt = url.indexOf('?');
  if (queryAt < 0) return url;
  const query = url
    .slice(queryAt + 1)
    .split('&')
    .map((pair) => {
      const [key] = pair.split('=');
      return SECRET_QUERY_KEYS.test(decodeURIComponent(key)) ? `${key}=[Redacted]` : pair;
    })
    .join('&');
  return `${url.slice(0, queryAt)}?${query}`;
}

export function loggerParams(level: string): Params {
  return {
    pinoHttp: {
      level,
      redact: { paths: REDACTED_PATHS, censor: '[Redacted]' },
      serializers: {
        req: (req: IncomingMessage & { id?: unknown; url?: string }) => ({
          id: req.id,
          method: req.method,
          url: redactUrl(req.url ?? ''),
          headers: req.headers,
        }),
      },
      autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/metrics' },
    },
  };
}
