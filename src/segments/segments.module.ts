import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { UsersRepositoryModule } from '../audience/users-repository.module';
import { Campaign, CampaignSchema } from '../campaigns/campaign.schema';
import { PagesModule } from '../pages/pages.module';
import { Segment, SegmentSchema } from './segment.schema';
import { SegmentsController } from './segments.controller';
import { SegmentsService } from './segments.service';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Segment.name, schema: SegmentSchema },
      // Read only, to refuse deleting a segment a live campaign targets.
      { name: Campaign.name, schema: CampaignSchema },
    ]),
    PagesModule,
    UsersRepositoryModule,
  ],
  controllers: [SegmentsController],
  providers: [SegmentsService],
  exports: [SegmentsService],
})
export class SegmentsModule {}
