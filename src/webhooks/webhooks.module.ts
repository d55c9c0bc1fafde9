import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { AudienceModule } from '../audience/audience.module';
import { CampaignRunsModule } from '../campaigns/campaign-runs.module';
import { DeliveryRecordsModule } from '../delivery/delivery-records.module';
import { HandoverModule } from '../handover/handover.module';
import { PagesStoreModule } from '../pages/pages-store.module';
import { TokensModule } from '../tokens/tokens.module';
import {
  TemplateStatusRecord,
  TemplateStatusRecordSchema,
  WebhookEvent,
  WebhookEventSchema,
} from './webhook-event.schema';
import { WebhookMetrics } from './webhook-metrics';
import { WebhookRouter } from './webhook-router.service';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

/** The Messenger webhook (SPEC §5), where ROLE includes the API. */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: WebhookEvent.name, schema: WebhookEventSchema },
      { name: TemplateStatusRecord.name, schema: TemplateStatusRecordSchema },
    ]),
    AudienceModule,
    CampaignRunsModule,
    DeliveryRecordsModule,
    HandoverModule,
    PagesStoreModule,
    TokensModule,
  ],
  controllers: [WebhooksController],
  providers: [WebhooksService, WebhookRouter, WebhookMetrics],
  exports: [WebhooksService],
})
export class WebhooksModule {}
