import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { UsersRepositoryModule } from '../audience/users-repository.module';
import { CampaignRunsModule } from '../campaigns/campaign-runs.module';
import {
  Campaign,
  CampaignRun,
  CampaignRunSchema,
  CampaignSchema,
} from '../campaigns/campaign.schema';
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
import { OutcomesService } from './outcomes.service';

/**
 * The delivery records and what reads and writes them, without routes or the
 * engine: one instance, shared by the engine, the outcome routes and the webhook
 * (which records receipts).
 */
@Module({
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
  ],
  providers: [DeliveryStore, OutcomesService],
  exports: [DeliveryStore, OutcomesService, MongooseModule, UsersRepositoryModule],
})
export class DeliveryRecordsModule {}
