import { DynamicModule, Module } from '@nestjs/common';
import { CampaignRunsModule } from '../campaigns/campaign-runs.module';
import { MessengerModule } from '../messenger/messenger.module';
import { PagesStoreModule } from '../pages/pages-store.module';
import { TokensStoreModule } from '../tokens/tokens-store.module';
import { DeliveryMetrics } from './delivery-metrics';
import { DeliveryRecordsModule } from './delivery-records.module';
import { OutcomesController } from './outcomes.controller';
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
        DeliveryRecordsModule,
        CampaignRunsModule,
        MessengerModule,
        PagesStoreModule,
        TokensStoreModule,
      ],
      controllers: options.api ? [OutcomesController] : [],
      providers: [PageLeases, DeliveryMetrics, SendingEngine],
      exports: [SendingEngine],
    };
  }
}
