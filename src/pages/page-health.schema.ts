import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';
import { PAGE_HEALTH_STATUSES, type PageHealthStatus } from './page-health';

/** Whether a Page can send, and why not: one small document per Page, keyed by its id. */
@Schema({ collection: 'page_health', versionKey: false })
export class PageHealth {
  /** The Page id. */
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, required: true, enum: PAGE_HEALTH_STATUSES }) status!: PageHealthStatus;
  @Prop({ required: true }) since!: Date;
  @Prop({ type: MongooseSchema.Types.Mixed }) lastError?: Record<string, unknown>;
  @Prop({ type: [String], default: [] }) pausedCampaigns!: string[];
  /** Set by a policy enforcement `block` webhook, removed by `unblock`; outranks `status`. */
  @Prop({
    type: new MongooseSchema(
      { since: { type: Date, required: true }, reason: String },
      { _id: false },
    ),
  })
  policyBlock?: { since: Date; reason?: string };
}

export const PageHealthSchema = SchemaFactory.createForClass(PageHealth);
