import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { UsersRepositoryModule } from '../audience/users-repository.module';
import { MessengerModule } from '../messenger/messenger.module';
import { PagesStoreModule } from '../pages/pages-store.module';
import { HandoverController } from './handover.controller';
import {
  PageAppRoles,
  PageAppRolesSchema,
  ThreadControlRequest,
  ThreadControlRequestSchema,
  ThreadOwner,
  ThreadOwnerSchema,
} from './handover.schema';
import { ThreadControlService } from './thread-control.service';
import { ThreadOwnersService } from './thread-owners.service';

/**
 * The handover protocol (SPEC §1.8): thread owners per user, kept current from
 * webhooks (ThreadOwnersService.applyHandover) and from the thread routes
 * (`/api/pages/:pageId/threads/:psid/…`). Serves the API, so it belongs with
 * the modules of ROLE api/all.
 */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: ThreadOwner.name, schema: ThreadOwnerSchema },
      { name: ThreadControlRequest.name, schema: ThreadControlRequestSchema },
      { name: PageAppRoles.name, schema: PageAppRolesSchema },
    ]),
    UsersRepositoryModule,
    PagesStoreModule,
    MessengerModule,
  ],
  controllers: [HandoverController],
  providers: [ThreadOwnersService, ThreadControlService],
  exports: [ThreadOwnersService],
})
export class HandoverModule {}
