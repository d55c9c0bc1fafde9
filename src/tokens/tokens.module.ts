import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import {
  NotificationToken,
  NotificationTokenSchema,
  TokenUse,
  TokenUseSchema,
} from './token.schema';
import { TokensService } from './tokens.service';

/**
 * The notification-token ledger (SPEC §1.7). The webhook passes opt-ins to
 * TokensService.applyOptin; the engine and test-send claim and settle tokens.
 */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: NotificationToken.name, schema: NotificationTokenSchema },
      { name: TokenUse.name, schema: TokenUseSchema },
    ]),
  ],
  providers: [TokensService],
  exports: [TokensService],
})
export class TokensModule {}
