/** Builds the HTTP application the same way for production, tests and the demo. */
import { NestFactory } from '@nestjs/core';
import { getConnectionToken } from '@nestjs/mongoose';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Connection } from 'mongoose';
import { Logger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module';
import type { Clock } from './common/clock';
import { serveConsole } from './common/console-assets';
import { createAllIndexes } from './common/database-indexes';
import { refuseDeepJson } from './common/json-body';
import { createAccessLog } from './common/logging';
import { refuseMalformedUrl } from './common/request-url';
import { securityHeaders } from './common/response-headers';
import type { AppConfig } from './config/app-config';

/**
 * `clock` replaces the system clock (tests move time by hand); `logDestination`
 * receives the JSON log lines instead of stdout. Resolves once every index exists,
 * before anything (the scheduler on init, the first request) relies on one; rejects
 * when one cannot be built (a unique key over data that already repeats it).
 */
export async function createApp(
  config: AppConfig,
  options: { clock?: Clock; logDestination?: DestinationStream } = {},
): Promise<NestExpressApplication> {
  const accessLog = createAccessLog(config.logLevel, options.logDestination);
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.register(config, accessLog, options.clock),
    {
      bufferLogs: true,
      bodyParser: false,
      // The webhook verifies X-Hub-Signature-256 over the exact bytes Facebook sent.
      rawBody: true,
    },
  );
  app.useLogger(app.get(Logger));
  // Before routing: the access log and the headers reach every answer, a malformed URL included.
  app.use(accessLog);
  app.use(securityHeaders);
  app.use(refuseMalformedUrl);
  app.useBodyParser('json', { limit: config.jsonBodyLimitBytes });
  app.use(refuseDeepJson);
  app.disable('x-powered-by');
  app.enableShutdownHooks();
  serveConsole(app);

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Messenger campaign connector')
      .setDescription('Audience, segments, campaigns and outcomes for Facebook Messenger Pages.')
      .setVersion('0.1.0')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  try {
    await createAllIndexes(app.get<Connection>(getConnectionToken()));
  } catch (error) {
    // Without its unique indexes a claim is not exclusive (SPEC §8): no traffic, and no open connection left behind.
    await app.close();
    throw error;
  }
  return app;
}
