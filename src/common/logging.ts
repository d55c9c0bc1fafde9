/**
 * pino options: JSON logs with every place a secret can sit redacted: the
 * Authorization header, the webhook signature, and query values such as
 * `hub.verify_token` that would otherwise show in the logged URL.
 */
import type { Params } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import type { DestinationStream } from 'pino';
import { pinoHttp, type HttpLogger } from 'pino-http';

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
  '*.notification_messages_token',
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
      return SECRET_QUERY_KEYS.test(decodedOrRaw(key)) ? `${key}=[Redacted]` : pair;
    })
    .join('&');
  return `${url.slice(0, queryAt)}?${query}`;
}

// The logger sees every request, malformed URLs included (they are answered 400 after it).
function decodedOrRaw(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

const SECRETS_IN_TEXT: [RegExp, string][] = [
  [/(\/\/[^/\s:@]*:)[^@\s]*@/g, '$1[Redacted]@'],
  [/\b(hub\.verify_token|access_token|appsecret_proof|token)=[^&\s]+/gi, '$1=[Redacted]'],
  [/\bBearer\s+\S+/gi, 'Bearer [Redacted]'],
];

/** Free text (an error message, a stack) with URI passwords, secret query values and bearer tokens masked. */
export function redactSecrets(text: string): string {
  return SECRETS_IN_TEXT.reduce((masked, [pattern, mask]) => masked.replace(pattern, mask), text);
}

/**
 * One access-log line per answered request. Mounted first, before routing, so it
 * sees every request: Nest's middleware never runs for a path Express cannot decode.
 */
export function createAccessLog(level: string, destination?: DestinationStream): HttpLogger {
  return pinoHttp(
    {
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
    destination,
  );
}

/** nestjs-pino writes through the access log's logger and binds each request's `req.log`. */
export function loggerParams(accessLog: HttpLogger): Params {
  return { pinoHttp: { logger: accessLog.logger }, useExisting: true };
}
