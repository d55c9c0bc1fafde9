import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { MongooseModule } from '@nestjs/mongoose';
import { LoggerModule } from 'nestjs-pino';
import type { HttpLogger } from 'pino-http';
import { BearerTokenGuard } from './common/bearer-token.guard';
import { DatabaseAvailabilityGuard } from './common/database-availability.guard';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { JsonBodyGuard } from './common/json-body';
import { loggerParams } from './common/logging';
import { createValidationPipe } from './common/validation';
import type { Clock } from './common/clock';
import type { AppConfig } from './config/app-config';
import { ScheduleModule } from '@nestjs/schedule';
import { AudienceModule } from './audience/audience.module';
import { CampaignRunsModule } from './campaigns/campaign-runs.module';
import { CampaignsModule } from './campaigns/campaigns.module';
import { DeliveryModule } from './delivery/delivery.module';
import { AppConfigModule } from './config/app-config.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { PagesModule } from './pages/pages.module';
import { SegmentsModule } from './segments/segments.module';
import { TemplatesModule } from './templates/templates.module';
import { WebhooksModule } from './webhooks/webhooks.module';

/**
 * ROLE decides what runs: `api` serves the REST API and the webhook, `worker`
 * runs the sending engine (and serves only /health and /metrics), `all` both.
 * Guards run in order: who asks, what they send, whether the database can answer.
 */
@Module({})
export class AppModule {
  static register(config: AppConfig, accessLog: HttpLogger, clock?: Clock): DynamicModule {
    const api = config.role !== 'worker';
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config, clock),
        LoggerModule.forRoot(loggerParams(accessLog)),
        // Indexes are built once at boot, awaited (createAllIndexes), not in the background.
        MongooseModule.forRoot(config.mongodbUri, {
          serverSelectionTimeoutMS: 5000,
          autoIndex: false,
        }),
        MetricsModule,
        HealthModule,
        ScheduleModule.forRoot(),
        CampaignRunsModule,
        DeliveryModule.register({ api }),
        ...(api
          ? [
              PagesModule,
              AudienceModule,
              SegmentsModule,
              CampaignsModule,
              WebhooksModule,
              TemplatesModule,
            ]
          : []),
      ],
      providers: [
        { provide: APP_GUARD, useClass: BearerTokenGuard },
        { provide: APP_GUARD, useClass: JsonBodyGuard },
        { provide: APP_GUARD, useClass: DatabaseAvailabilityGuard },
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
        { provide: APP_PIPE, useValue: createValidationPipe() },
      ],
    };
  }
}
