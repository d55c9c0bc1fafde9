import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import {
  NotificationToken,
  NotificationTokenSchema,
  TokenUse,
  TokenUseSchema,
} from './token.schema';
import { TokensService } from './tokens.service';

/** The token ledger without routes: what the webhook, the engine and test-send need. */
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
export class TokensStoreModule {}
