import { Module } from '@nestjs/common';
import { MessengerModule } from '../messenger/messenger.module';
import { PageHealthController } from './page-health.controller';
import { PagesController } from './pages.controller';
import { PagesStoreModule } from './pages-store.module';

@Module({
  imports: [PagesStoreModule, MessengerModule],
  controllers: [PagesController, PageHealthController],
  exports: [PagesStoreModule],
})
export class PagesModule {}
