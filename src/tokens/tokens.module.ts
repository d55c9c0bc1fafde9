import { Module } from '@nestjs/common';
import { UsersRepositoryModule } from '../audience/users-repository.module';
import { MessengerModule } from '../messenger/messenger.module';
import { PagesStoreModule } from '../pages/pages-store.module';
import { SegmentsModule } from '../segments/segments.module';
import { OptinRequestsService } from './optin-requests.service';
import { TokensController } from './tokens.controller';
import { TokensStoreModule } from './tokens-store.module';

/**
 * The notification-token routes (SPEC §7) and, exported, the ledger itself: the
 * webhook passes opt-ins to TokensService.applyOptin. Where no routes are wanted
 * (the worker), import TokensStoreModule instead.
 */
@Module({
  imports: [
    TokensStoreModule,
    UsersRepositoryModule,
    SegmentsModule,
    PagesStoreModule,
    MessengerModule,
  ],
  controllers: [TokensController],
  providers: [OptinRequestsService],
  exports: [TokensStoreModule],
})
export class TokensModule {}
