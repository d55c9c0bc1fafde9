import { DynamicModule, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { UsersRepositoryModule } from '../audience/users-repository.module';
import { CampaignRunsModule } from '../campaigns/campaign-runs.module';
import {
  Campaign,
  CampaignRun,
  CampaignRunSchema,
  CampaignSchema,
} from '../campaigns/campaign.schema';
import { MessengerModule } from '../messenger/messenger.module';
import { PagesStoreModule } from '../pages/pages-store.module';
import { DeliveryMetrics } from './delivery-metrics';
import { DeliveryStore } from './delivery-store';
import {
  Delivery,
  DeliveryOutcome,
  DeliveryOutcomeSchema,
  DeliveryReceipt,
  DeliveryReceiptSchema,
  DeliverySchema,
  PageLease,
  PageLeaseSchema,
} from './delivery.schema';
import { OutcomesController } from './outcomes.controller';
import { OutcomesService } from './outcomes.service';
import { PageLeases } from './page-leases';
import { SendingEngine } from './sending-engine.service';

/**
 * Sending and its outcomes. The engine runs where ROLE includes the worker; the
 * outcome routes (stats, deliveries, retry-failed) are served where it includes the API.
 */
@Module({})
export class DeliveryModule {
  static register(options: { api: boolean }): DynamicModule {
    return {
      module: DeliveryModule,
      imports: [
        MongooseModule.forFeature([
          { name: Delivery.name, schema: DeliverySchema },
          { name: DeliveryOutcome.name, schema: DeliveryOutcomeSchema },
          { name: DeliveryReceipt.name, schema: DeliveryReceiptSchema },
          { name: PageLease.name, schema: PageLeaseSchema },
          { name: Campaign.name, schema: CampaignSchema },
          { name: CampaignRun.name, schema: CampaignRunSchema },
        ]),
        UsersRepositoryModule,
        CampaignRunsModule,
        MessengerModule,
        PagesStoreModule,
      ],
      controllers: options.api ? [OutcomesController] : [],
      providers: [DeliveryStore, PageLeases, DeliveryMetrics, SendingEngine, OutcomesService],
      exports: [OutcomesService, SendingEngine],
    };
  }
}
