import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { UsersRepositoryModule } from '../audience/users-repository.module';
import {
  PageAppRoles,
  PageAppRolesSchema,
  ThreadControlRequest,
  ThreadControlRequestSchema,
  ThreadOwner,
  ThreadOwnerSchema,
} from './handover.schema';
import { ThreadOwnersService } from './thread-owners.service';

/**
 * The handover protocol (SPEC §1.8): thread owners per user, kept current from
 * webhooks (ThreadOwnersService.applyHandover) and from the thread routes.
 */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: ThreadOwner.name, schema: ThreadOwnerSchema },
      { name: ThreadControlRequest.name, schema: ThreadControlRequestSchema },
      { name: PageAppRoles.name, schema: PageAppRolesSchema },
    ]),
    UsersRepositoryModule,
  ],
  providers: [ThreadOwnersService],
  exports: [ThreadOwnersService],
})
export class HandoverModule {}
