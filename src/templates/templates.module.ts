import { Global, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { MessengerModule } from '../messenger/messenger.module';
import { PagesStoreModule } from '../pages/pages-store.module';
import {
  TemplateStatusObservation,
  TemplateStatusObservationSchema,
  UtilityTemplate,
  UtilityTemplateSchema,
} from './template.schema';
import { TemplatesController } from './templates.controller';
import { TemplatesService } from './templates.service';

/**
 * Utility templates (SPEC §3, §7), where ROLE includes the API. Global because
 * campaigns check and publish against them and the webhook updates their status.
 */
@Global()
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: UtilityTemplate.name, schema: UtilityTemplateSchema },
      { name: TemplateStatusObservation.name, schema: TemplateStatusObservationSchema },
    ]),
    MessengerModule,
    PagesStoreModule,
  ],
  controllers: [TemplatesController],
  providers: [TemplatesService],
  exports: [TemplatesService],
})
export class TemplatesModule {}
