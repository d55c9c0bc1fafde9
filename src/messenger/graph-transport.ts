/**
 * The wire to the Graph API: one JSON request over Node's keep-alive agent, and
 * the answer as status, headers and parsed body. Node's http client directly, not
 * axios: axios's per-request config merging and header objects cost a sending
 * worker a third of its CPU (0.09 ms of 0.28 per message, docs/benchmarks.md),
 * and the client used nothing else of it. A proxy named by the environment
 * (HTTPS_PROXY, HTTP_PROXY, NO_PROXY, as curl reads them) is used through a
 * CONNECT tunnel for https.
 */
import {
  Agent as HttpAgent,
  request as httpRequest,
  type ClientRequest,
  type IncomingHttpHeaders,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { getProxyForUrl } from 'proxy-from-env';

export interface GraphResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, or its text when it is not JSON. */
  data: unknown;
}

/**
 * No HTTP answer came back. `written`: the whole request had been handed to the
 * socket, so Facebook may have acted on it; `code` is the socket's error code.
 */
export class GraphTransportError extends Error {
  constructor(
    readonly code: string | undefined,
    readonly written: boolean,
    message: string,
  ) {
    super(message);
  }
}

/** Facebook's answers are a few hundred bytes; a larger one is not a Graph answer. */
export const MAX_ANSWER_BYTES = 1024 * 1024;

export interface GraphRequest {
  method: 'GET' | 'POST' | 'DELETE';
  url: URL;
  headers: Record<string, string>;
  /** JSON, sent with its length. */
  body?: string;
  /** Time from the call to the whole answer after which it is given up (ETIMEDOUT). */
  timeoutMs: number;
}

export class GraphTransport {
  private readonly agent: HttpAgent;
  private readonly send: typeof httpRequest;

  /** Sockets to `baseUrl` kept alive, at most `maxSockets` at once, through the environment's proxy if it names one. */
  constructor(baseUrl: string, maxSockets: number) {
    const secure = new URL(baseUrl).protocol === 'https:';
    const options = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets };
    const proxy = getProxyForUrl(baseUrl);
    this.send = secure ? httpsRequest : httpRequest;
    if (proxy)
      this.agent = secure
        ? new HttpsProxyAgent(proxy, options)
        : (new HttpProxyAgent(proxy, options) as HttpAgent);
    else this.agent = secure ? new HttpsAgent(options) : new HttpAgent(options);
  }

  /** Whether calls go through a proxy (the environment named one for the Graph API's host). */
  get proxied(): boolean {
    return this.agent instanceof HttpsProxyAgent || this.agent instanceof HttpProxyAgent;
  }

  request({ method, url, headers, body, timeoutMs }: GraphRequest): Promise<GraphResponse> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (request: ClientRequest, code: string | undefined, message: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        // writableFinished: every byte went to the socket, so the call may have reached Facebook.
        reject(new GraphTransportError(code, request.writableFinished, message));
      };
      const request = this.send(
        url,
        {
          method,
          agent: this.agent,
          headers: body === undefined ? headers : withLength(headers, body),
        },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_ANSWER_BYTES)
              request.destroy(Object.assign(new Error('answer too large'), { code: 'ETOOLARGE' }));
            else chunks.push(chunk);
          });
          response.on('end', () => {
            if (settled) return;
            settled = true;
            clearTimeout(deadline);
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              data: parseJson(Buffer.concat(chunks).toString('utf8')),
            });
          });
          response.on('error', (error: NodeJS.ErrnoException) =>
            fail(request, error.code, error.message),
          );
        },
      );
      // From the call, not the socket: through a proxy the socket waits for its CONNECT answer,
      // and a request without a socket reports no error when destroyed, so this settles it.
      const deadline = setTimeout(() => {
        fail(request, 'ETIMEDOUT', 'timed out');
        request.destroy();
      }, timeoutMs);
      request.on('error', (error: NodeJS.ErrnoException) =>
        fail(request, error.code, error.message),
      );
      request.end(body);
    });
  }

  destroy(): void {
    this.agent.destroy();
  }
}

function withLength(headers: Record<string, string>, body: string): Record<string, string> {
  return {
    ...headers,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
