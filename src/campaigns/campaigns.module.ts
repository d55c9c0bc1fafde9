import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { User, UserSchema } from '../audience/user.schema';
import { MessengerModule } from '../messenger/messenger.module';
import { PagesModule } from '../pages/pages.module';
import { SegmentsModule } from '../segments/segments.module';
import { Campaign, CampaignSchema, TestSend, TestSendSchema } from './campaign.schema';
import { CampaignRunsModule } from './campaign-runs.module';
import { CampaignsController } from './campaigns.controller';
import { CampaignsService } from './campaigns.service';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Campaign.name, schema: CampaignSchema },
      { name: TestSend.name, schema: TestSendSchema },
      { name: User.name, schema: UserSchema },
    ]),
    CampaignRunsModule,
    MessengerModule,
    PagesModule,
    SegmentsModule,
  ],
  controllers: [CampaignsController],
  providers: [CampaignsService],
})
export class CampaignsModule {}
