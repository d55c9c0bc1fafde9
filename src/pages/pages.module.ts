import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { MessengerModule } from '../messenger/messenger.module';
import { Page, PageSchema } from './page.schema';
import { PagesController } from './pages.controller';
import { PagesService } from './pages.service';

@Module({
  imports: [MongooseModule.forFeature([{ name: Page.name, schema: PageSchema }]), MessengerModule],
  controllers: [PagesController],
  providers: [PagesService],
  exports: [PagesService],
})
export class PagesModule {}
