import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { PageHealth, PageHealthSchema } from './page-health.schema';
import { PageHealthService } from './page-health.service';
import { Page, PageSchema } from './page.schema';
import { PagesService } from './pages.service';

/** Pages and their health without routes: what the worker needs to send for a Page. */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Page.name, schema: PageSchema },
      { name: PageHealth.name, schema: PageHealthSchema },
    ]),
  ],
  providers: [PagesService, PageHealthService],
  exports: [PagesService, PageHealthService],
})
export class PagesStoreModule {}
