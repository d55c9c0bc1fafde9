import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';

export const WEBHOOK_EVENT_STATUSES = ['received', 'processed', 'failed'] as const;
export type WebhookEventStatus = (typeof WEBHOOK_EVENT_STATUSES)[number];

/**
 * A webhook body exactly as Facebook sent it, stored before the 200. Keyed by the
 * SHA-256 of its bytes, so a redelivered body is refused by the unique `_id`
 * instead of being processed twice. `received` until processed; the retry pass
 * takes those whose `nextAttemptAt` has come.
 */
/** The SecretBox context of a stored body: bound to its id, so a sealed body moved to another document does not open. */
export function webhookBodyContext(id: string): string {
  return `webhook:${id}:body`;
}

@Schema({ collection: 'webhook_events', versionKey: false })
export class WebhookEvent {
  @Prop({ type: String, required: true }) _id!: string;
  /**
   * The body's bytes sealed with SecretBox (context `webhookBodyContext(_id)`): an
   * opt-in carries notification tokens, which are never stored in the clear.
   */
  @Prop({ required: true }) bodySealed!: string;
  @Prop({ required: true }) receivedAt!: Date;
  @Prop({ type: String, required: true, enum: WEBHOOK_EVENT_STATUSES })
  status!: WebhookEventStatus;
  /** Processing attempts started, the first (right after the answer) included. */
  @Prop({ required: true }) attempts!: number;
  @Prop({ required: true }) nextAttemptAt!: Date;
  @Prop() processedAt?: Date;
  /** Why the last attempt failed (retried) or why the body can never be processed (failed). */
  @Prop() lastError?: string;
  /** Events of the body refused for good (a PSID or a time the API would refuse), by position. */
  @Prop({
    type: [new MongooseSchema({ position: String, reason: String }, { _id: false })],
    default: undefined,
  })
  refused?: { position: string; reason: string }[];
}

export const WebhookEventSchema = SchemaFactory.createForClass(WebhookEvent);
// The retry pass's query.
WebhookEventSchema.index({ status: 1, nextAttemptAt: 1 });

/**
 * A utility template's status as Facebook reported it (`message_template_status_update`),
 * one record per event, for the utility-templates work to consume.
 */
@Schema({ collection: 'message_template_updates', versionKey: false })
export class TemplateStatusRecord {
  /** The webhook event id: a redelivery inserts nothing new. */
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) pageId!: string;
  @Prop() templateId?: string;
  @Prop() name?: string;
  @Prop() language?: string;
  @Prop({ required: true }) status!: string;
  @Prop() reason?: string;
  @Prop({ required: true }) receivedAt!: Date;
}

export const TemplateStatusRecordSchema = SchemaFactory.createForClass(TemplateStatusRecord);
