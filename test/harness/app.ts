/**
 * A real application on a database of its own (one per test file, so files run
 * in parallel), optionally wired to an in-process Messenger sandbox.
 */
import type { NestExpressApplication } from '@nestjs/platform-express';
import { getConnectionToken } from '@nestjs/mongoose';
import { randomBytes } from 'node:crypto';
import { ConnectionStates, type Connection } from 'mongoose';
import request from 'supertest';
import { withDatabaseName } from '../../scripts/database';
import { createApp } from '../../src/app.factory';
import { loadAppConfig, type AppConfig } from '../../src/config/app-config';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/sandbox.server';
import type { SandboxOptions } from '../../src/sandbox/sandbox.types';
import type { Clock } from '../../src/common/clock';
import type { DestinationStream } from 'pino';

export const API_TOKEN = 'test-api-token-0123456789abcdef';
export const ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');
export const APP_SECRET = '0123456789abcdef0123456789abcdef';
export const APP_ID = '1000000000000001';
export const auth = { Authorization: `Bearer ${API_TOKEN}` };

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  /** supertest bound to the app's HTTP server */
  http: () => ReturnType<typeof request>;
  db: Connection;
  sandbox?: RunningSandbox;
  close(): Promise<void>;
}

export function testDatabaseUri(): string {
  const base = process.env.TEST_MONGODB_URI;
  if (!base)
    throw new Error(
      'TEST_MONGODB_URI is not set: run the tests through jest (test/harness/global-setup.ts)',
    );
  const uri = new URL(withDatabaseName(base, `t_${randomBytes(6).toString('hex')}`));
  // Ten connections per test process: two jest workers' apps and their worker processes then
  // stay under the 40 PostgreSQL connections of the embedded FerretDB, which can deadlock when
  // every one is taken (its metadata lock is waited for while a connection is held).
  uri.searchParams.set('maxPoolSize', '10');
  return uri.toString();
}

export function testConfig(env: Record<string, string> = {}): AppConfig {
  return loadAppConfig({
    API_TOKENS: API_TOKEN,
    ENCRYPTION_KEY,
    APP_SECRET,
    APP_ID,
    WEBHOOK_VERIFY_TOKEN: 'verify-me',
    LOG_LEVEL: 'silent',
    SCHEDULER_TICK_MS: '0',
    // The sending engine is off unless a test turns it on (ENGINE_TICK_MS), so runs wait for it.
    ENGINE_TICK_MS: '0',
    GRAPH_API_URL: process.env.GRAPH_API_URL,
    MONGODB_URI: testDatabaseUri(),
    ...env,
  });
}

export async function createTestApp(
  options: {
    env?: Record<string, string>;
    sandbox?: SandboxOptions | false;
    clock?: Clock;
    logDestination?: DestinationStream;
  } = {},
): Promise<TestApp> {
  const sandbox =
    options.sandbox === false
      ? undefined
      : await startSandbox({ appId: APP_ID, appSecret: APP_SECRET, ...options.sandbox });
  const config = testConfig({ ...(sandbox ? { GRAPH_API_URL: sandbox.url } : {}), ...options.env });
  const app = await createApp(config, {
    clock: options.clock,
    logDestination: options.logDestination,
  });
  await app.init();
  const db = app.get<Connection>(getConnectionToken());
  return {
    app,
    config,
    db,
    sandbox,
    http: () => request(app.getHttpServer()),
    close: async () => {
      if (db.readyState === ConnectionStates.connected) await db.dropDatabase();
      await app.close();
      await sandbox?.close();
    },
  };
}
