/**
 * The fake Graph API's routes, `/{version}/{node}/{endpoint}` (a Page id works in
 * place of `me`), answered on the bare Node server ahead of Express. The sandbox
 * answers every message the tests, the demo and the benchmarks send, on the machine
 * it shares with the engine; Express's router, body parser and ETags were a third
 * of its CPU per message. The scripting routes (`/_sandbox/...`) stay Nest's.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { SandboxService } from './sandbox.service';

/** Three path segments, the first not `_sandbox` (or anything else starting with `_`). */
const GRAPH_PATH = /^\/([^/_?][^/?]*)\/([^/?]+)\/([^/?]+)\/?(?:\?(.*))?$/;
/** As the Express body parser allowed before. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Answers `req` when it is a Graph call and returns true; false leaves it to the scripting routes. */
export function answerGraphCall(
  sandbox: SandboxService,
  req: IncomingMessage,
  res: ServerResponse,
): boolean {
  const match = GRAPH_PATH.exec(req.url ?? '');
  if (!match) return false;
  const [, version, node, endpoint, search] = match;
  // Refused without reading it: a permanent parameter error, as Facebook answers one.
  const tooLarge = () => {
    res.setHeader('connection', 'close');
    reply(res, 413, {
      error: { message: '(#100) Request body too large', type: 'OAuthException', code: 100 },
    });
    req.destroy();
  };
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
    tooLarge();
    return true;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    else if (!res.headersSent) tooLarge();
  });
  req.on('end', () => {
    if (size > MAX_BODY_BYTES) return;
    sandbox
      .handle({
        method: req.method ?? 'GET',
        version,
        node,
        endpoint,
        query: search ? { ...parseQuery(search) } : {},
        authorization: req.headers.authorization,
        body: jsonBody(req, chunks),
        clientPort: req.socket.remotePort,
      })
      .then((answer) => {
        // The body was read: the request reached "Facebook", but no answer comes back.
        if (answer === 'connection_reset') req.socket.destroy();
        else reply(res, answer.status, answer.body, answer.headers);
      })
      .catch((error: unknown) => {
        // A fault of the sandbox, not a scripted answer: said, and answered as Facebook's 500.
        process.stderr.write(`sandbox: ${error instanceof Error ? error.stack : String(error)}\n`);
        reply(res, 500, {
          error: { message: 'An unexpected error has occurred.', type: 'OAuthException', code: 2 },
        });
      });
  });
  return true;
}

/** The parsed body of a JSON request; anything else (a form, bad JSON) reaches the Graph rules as no body. */
function jsonBody(req: IncomingMessage, chunks: Buffer[]): unknown {
  if (chunks.length === 0 || !req.headers['content-type']?.includes('json')) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

function reply(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
