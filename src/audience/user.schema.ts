import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';
import type { Attributes } from './attributes';

export type UserSource = 'csv' | 'api' | 'webhook';

/** A Page-scoped user: a PSID of one Page with built-in fields and typed attributes. */
@Schema({ collection: 'users', timestamps: true, minimize: false })
export class User {
  @Prop({ required: true })
  pageId!: string;

  @Prop({ required: true })
  psid!: string;

  @Prop() firstName?: string;
  @Prop() lastName?: string;
  @Prop() locale?: string;
  @Prop() timezone?: string;

  /** Last message or postback from the user: opens the 24-hour window. */
  @Prop() lastInboundAt?: Date;

  /** First message that came from a Click-to-Messenger ad: opens a 7-day window. */
  @Prop() adReferralAt?: Date;

  /** Where the user came from first; later sources do not change it. */
  @Prop({ required: true, enum: ['csv', 'api', 'webhook'] })
  source!: UserSource;

  @Prop({ required: true, default: false })
  suppressed!: boolean;

  @Prop() suppressedReason?: string;

  @Prop({ type: MongooseSchema.Types.Mixed, default: {} })
  attributes!: Attributes;

  /** The app that owns the conversation when it is not this connector (handover); such users are skipped. */
  @Prop() threadOwnerAppId?: string;

  createdAt!: Date;
  updatedAt!: Date;
}

export const UserSchema = SchemaFactory.createForClass(User);
// Upserts and lookups by (pageId, psid); one user per PSID of a Page.
UserSchema.index({ pageId: 1, psid: 1 }, { unique: true });
// Listing a Page's users by cursor: equality on pageId, range on _id.
UserSchema.index({ pageId: 1, _id: 1 });
