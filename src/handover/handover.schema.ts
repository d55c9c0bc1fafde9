/**
 * What the handover protocol leaves behind: the thread owner per PSID with the
 * time Facebook gave it (so an older event never overwrites a newer owner), the
 * requests other apps made, and each Page's app roles. Small documents keyed by
 * `_id`, so a lookup is constant-time on FerretDB and a replay is a no-op.
 */
import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';

/** One PSID's thread: `_id` is `<pageId>:<psid>`. */
@Schema({ collection: 'thread_owners', versionKey: false })
export class ThreadOwner {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) pageId!: string;
  @Prop({ required: true }) psid!: string;
  /** Another app that owns the thread; null when this connector owns it or nobody does. */
  @Prop({ type: String, default: null }) appId!: string | null;
  /** When Facebook made this owner (event timestamp), or when this connector learned it. */
  @Prop({ required: true }) at!: Date;
  /** What said so: a webhook event key, or `api` for a call or read of this connector. */
  @Prop({ required: true }) source!: string;
  @Prop({ type: String, default: null }) previousAppId!: string | null;
  @Prop() metadata?: string;
}
export const ThreadOwnerSchema = SchemaFactory.createForClass(ThreadOwner);

/** Another app asked for a thread; `_id` is `<pageId>:<psid>:<timestamp>:<appId>`, so a replay inserts nothing. */
@Schema({ collection: 'thread_control_requests', versionKey: false })
export class ThreadControlRequest {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) pageId!: string;
  @Prop({ required: true }) psid!: string;
  @Prop({ required: true }) requestedOwnerAppId!: string;
  @Prop({ required: true }) at!: Date;
  @Prop() metadata?: string;
}
export const ThreadControlRequestSchema = SchemaFactory.createForClass(ThreadControlRequest);

/** A Page's apps and their handover roles, from the latest `app_roles` event; `_id` is the Page id. */
@Schema({ collection: 'page_app_roles', versionKey: false })
export class PageAppRoles {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: MongooseSchema.Types.Mixed, required: true }) roles!: Record<string, string[]>;
  @Prop({ required: true }) at!: Date;
}
export const PageAppRolesSchema = SchemaFactory.createForClass(PageAppRoles);
