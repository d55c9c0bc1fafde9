/** Builds the HTTP application the same way for production, tests and the demo. */
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import type { Clock } from './common/clock';
import type { AppConfig } from './config/app-config';

/** `clock` replaces the system clock (tests move time by hand). */
export async function createApp(
  config: AppConfig,
  options: { clock?: Clock } = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.register(config, options.clock),
    {
      bufferLogs: true,
      bodyParser: false,
      // The webhook verifies X-Hub-Signature-256 over the exact bytes Facebook sent.
      rawBody: true,
    },
  );
  app.useLogger(app.get(Logger));
  app.useBodyParser('json', { limit: config.jsonBodyLimitBytes });
  app.disable('x-powered-by');
  app.enableShutdownHooks();

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
  return app;
}
