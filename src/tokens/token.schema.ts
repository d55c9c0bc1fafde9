/**
 * The notification-token ledger (SPEC §1.7): one collection for both kinds, the
 * value sealed with SecretBox. A token is used by inserting a TokenUse under a
 * unique key (SPEC §8), never by a conditional update of the token.
 */
import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import {
  NOTIFICATION_FREQUENCIES,
  TOKEN_KINDS,
  TOKEN_OUTCOMES,
  TOKEN_STATUSES,
  type NotificationFrequency,
  type TokenKind,
  type TokenOutcome,
  type TokenStatus,
} from './token-rules';

@Schema({ collection: 'notification_tokens', versionKey: false })
export class NotificationToken {
  /** A keyed hash of the Page, kind and value: the same opt-in delivered twice is one token. */
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) pageId!: string;
  /** The user's PSID; absent for checkbox-plugin opt-ins, which carry `userRef` instead. */
  @Prop() psid?: string;
  @Prop() userRef?: string;
  @Prop({ type: String, required: true, enum: TOKEN_KINDS }) kind!: TokenKind;
  /** The opt-in's payload: what the user agreed to be notified about. */
  @Prop({ required: true }) topic!: string;
  @Prop({ required: true }) valueSealed!: string;
  @Prop({ type: String, required: true, enum: TOKEN_STATUSES }) status!: TokenStatus;
  /** When the user opted in (the event's timestamp). */
  @Prop({ required: true }) createdAt!: Date;
  @Prop({ required: true }) expiresAt!: Date;
  @Prop({ type: String, enum: NOTIFICATION_FREQUENCIES }) frequency?: NotificationFrequency;
  @Prop() timezone?: string;
  @Prop() userTokenStatus?: string;
  @Prop() title?: string;
  @Prop() lastUsedAt?: Date;
  @Prop() nextAllowedAt?: Date;
  /** The stored webhook event that brought it. */
  @Prop({ required: true }) eventId!: string;
  @Prop({ required: true }) updatedAt!: Date;
}

export const NotificationTokenSchema = SchemaFactory.createForClass(NotificationToken);
// Claims and holders: a Page's tokens of one kind and topic; listing: a user's tokens.
NotificationTokenSchema.index({ pageId: 1, kind: 1, topic: 1, status: 1 });
NotificationTokenSchema.index({ pageId: 1, psid: 1 });

/**
 * One use of a token. Its `_id` is the claim key (see useKeyOf): for an OTN the
 * token id, so it is spent once ever; for a marketing message the token id and
 * the use's number, taken only once the previous use's frequency allows another,
 * so one send per frequency period whatever the number of workers.
 */
@Schema({ collection: 'notification_token_uses', versionKey: false })
export class TokenUse {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) tokenId!: string;
  @Prop({ required: true }) pageId!: string;
  /** Who spent it (e.g. a delivery key or a test-send), for the record. */
  @Prop({ required: true }) useKey!: string;
  @Prop({ required: true }) claimedAt!: Date;
  /** Set by settle: what became of the send. */
  @Prop({ type: String, enum: TOKEN_OUTCOMES }) outcome?: TokenOutcome;
  @Prop() settledAt?: Date;
}

export const TokenUseSchema = SchemaFactory.createForClass(TokenUse);
