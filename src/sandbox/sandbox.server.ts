/** Starts the sandbox on loopback, for tests (in-process), `npm run sandbox` and the demo. */
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpExceptionFilter } from '../common/http-exception.filter';
import { answerGraphCall } from './graph-route';
import { SandboxModule } from './sandbox.module';
import { SandboxService } from './sandbox.service';
import type { SandboxOptions } from './sandbox.types';

export interface RunningSandbox {
  /** Base URL to use as GRAPH_API_URL, e.g. `http://127.0.0.1:43210`. */
  url: string;
  sandbox: SandboxService;
  close(): Promise<void>;
}

export async function startSandbox(
  options: SandboxOptions = {},
  port = 0,
): Promise<RunningSandbox> {
  const app = await NestFactory.create<NestExpressApplication>(SandboxModule.register(options), {
    logger: ['error'],
    bodyParser: false,
  });
  app.useBodyParser('json', { limit: '10mb' });
  // The scripting routes answer bad input in the service's error shape.
  app.useGlobalFilters(new HttpExceptionFilter());
  await app.init();
  const sandbox = app.get(SandboxService);
  const scripting = app.getHttpAdapter().getInstance() as RequestListener;
  // Graph calls are answered before Express sees them; the rest is Nest's.
  const server = createServer((req, res) => {
    if (!answerGraphCall(sandbox, req, res)) scripting(req, res);
  });
  // Longer than any client's idle socket, so keep-alive reuse never races a server-side close.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const boundPort = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${boundPort}`,
    sandbox,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await app.close();
    },
  };
}
