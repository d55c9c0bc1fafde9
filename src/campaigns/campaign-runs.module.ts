import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { Segment, SegmentSchema } from '../segments/segment.schema';
import {
  Campaign,
  CampaignChange,
  CampaignChangeSchema,
  CampaignRun,
  CampaignRunSchema,
  CampaignSchema,
} from './campaign.schema';
import { CampaignChangesService } from './campaign-changes.service';
import { CampaignRunsService } from './campaign-runs.service';
import { PagePauses } from './page-pauses.service';

/**
 * Campaign changes and the scheduler tick, in every role (the tick only where ROLE
 * is worker or all): the API changes campaigns, the worker starts and ends runs.
 */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Campaign.name, schema: CampaignSchema },
      { name: CampaignChange.name, schema: CampaignChangeSchema },
      { name: CampaignRun.name, schema: CampaignRunSchema },
      // Read only, to keep a run's segment rules as they were when it started.
      { name: Segment.name, schema: SegmentSchema },
    ]),
  ],
  providers: [CampaignChangesService, CampaignRunsService, PagePauses],
  exports: [CampaignChangesService, CampaignRunsService, PagePauses],
})
export class CampaignRunsModule {}
