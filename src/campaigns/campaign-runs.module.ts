import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { Campaign, CampaignRun, CampaignRunSchema, CampaignSchema } from './campaign.schema';
import { CampaignRunsService } from './campaign-runs.service';

/** Starting runs and the scheduler tick: in every role (the tick only where ROLE is worker or all). */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Campaign.name, schema: CampaignSchema },
      { name: CampaignRun.name, schema: CampaignRunSchema },
    ]),
  ],
  providers: [CampaignRunsService],
  exports: [CampaignRunsService],
})
export class CampaignRunsModule {}
