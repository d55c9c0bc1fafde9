import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { AudienceModule } from '../audience/audience.module';
import { MessengerModule } from '../messenger/messenger.module';
import { PagesModule } from '../pages/pages.module';
import { SegmentsModule } from '../segments/segments.module';
import { TokensStoreModule } from '../tokens/tokens-store.module';
import { Campaign, CampaignSchema, TestSend, TestSendSchema } from './campaign.schema';
import { CampaignRunsModule } from './campaign-runs.module';
import { CampaignsController } from './campaigns.controller';
import { CampaignPreviewService } from './campaign-preview.service';
import { CampaignsService } from './campaigns.service';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Campaign.name, schema: CampaignSchema },
      { name: TestSend.name, schema: TestSendSchema },
    ]),
    AudienceModule,
    CampaignRunsModule,
    MessengerModule,
    PagesModule,
    SegmentsModule,
    TokensStoreModule,
  ],
  controllers: [CampaignsController],
  providers: [CampaignsService, CampaignPreviewService],
})
export class CampaignsModule {}
