/**
 * What the sending engine records, insert-only on the hot path (SPEC §8): per
 * recipient and round, a delivery (the claim to send, written before the Graph
 * call) and an outcome (written after it). Both are keyed by run, PSID and round,
 * so each is written at most once whatever the number of workers or crashes.
 */
import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';

export const OUTCOME_STATUSES = ['sent', 'failed', 'skipped', 'unknown'] as const;
export type OutcomeStatus = (typeof OUTCOME_STATUSES)[number];

/** `<runId>:<psid>:<round, 3 digits>`: the key of a recipient's delivery and outcome in one round. */
export function deliveryKey(runId: string, psid: string, round: number): string {
  return `${runId}:${psid}:${String(round).padStart(3, '0')}`;
}

/**
 * A recipient taken by the engine in a round. Its insert is the claim: a second
 * insert of the same key fails (11000) and nothing is sent again. A recipient
 * skipped without a Graph call carries its final status here, and has no outcome.
 */
@Schema({ collection: 'deliveries', versionKey: false })
export class Delivery {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) runId!: string;
  @Prop({ required: true }) campaignId!: string;
  @Prop({ required: true }) pageId!: string;
  @Prop({ required: true }) psid!: string;
  /** Round 0 takes the segment; each retry-failed adds a round of the failed and unknown. */
  @Prop({ required: true }) round!: number;
  /** Order in which the run took its recipients; chunks of 1,000 are checkpoints. */
  @Prop({ required: true }) seq!: number;
  @Prop({ required: true }) chunk!: number;
  /** The user's _id, so a taken-over round 0 resumes the segment after the last recipient taken. */
  @Prop() userId?: string;
  @Prop({ required: true }) claimedAt!: Date;
  /** Set when the recipient was skipped without a Graph call. */
  @Prop() skipReason?: string;
  /** In a retry round: what the recipient's outcome was before (stats subtract it). */
  @Prop() previousStatus?: string;
  @Prop() previousReason?: string;
}

export const DeliverySchema = SchemaFactory.createForClass(Delivery);
// Recovery after a takeover and the stats' $group: a run's deliveries, by round and order.
DeliverySchema.index({ runId: 1, round: 1, seq: 1 });
// A campaign's stats over all its runs.
DeliverySchema.index({ campaignId: 1 });

/** What happened to a claimed delivery: one per delivery, under the same key. */
@Schema({ collection: 'delivery_outcomes', versionKey: false })
export class DeliveryOutcome {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) runId!: string;
  @Prop({ required: true }) campaignId!: string;
  @Prop({ required: true }) pageId!: string;
  @Prop({ required: true }) psid!: string;
  @Prop({ required: true }) round!: number;
  @Prop({ required: true }) seq!: number;
  @Prop({ type: String, required: true, enum: OUTCOME_STATUSES }) status!: OutcomeStatus;
  /** Why it failed or was skipped (`graph_551_1545041`, `window_closed`, `rendered_too_long`…). */
  @Prop() reason?: string;
  /** Whether retry-failed sends it again: unknown, and failures that were retryable. */
  @Prop({ required: true }) retryable!: boolean;
  @Prop() messageId?: string;
  @Prop({ type: MongooseSchema.Types.Mixed }) error?: Record<string, unknown>;
  /** Graph calls made for it in this round (retries included). */
  @Prop({ required: true }) attempts!: number;
  @Prop() sentAt?: Date;
  @Prop({ required: true }) recordedAt!: Date;
}

export const DeliveryOutcomeSchema = SchemaFactory.createForClass(DeliveryOutcome);
// Stats' $group and the deliveries list: a run's outcomes, by round and order.
DeliveryOutcomeSchema.index({ runId: 1, round: 1, seq: 1 });
// A campaign's stats over all its runs.
DeliveryOutcomeSchema.index({ campaignId: 1 });

/** A delivery or read receipt from the webhook, kept as a record and matched to outcomes when counted. */
@Schema({ collection: 'delivery_receipts', versionKey: false })
export class DeliveryReceipt {
  @Prop({ required: true }) pageId!: string;
  @Prop({ required: true }) psid!: string;
  @Prop({ type: String, required: true, enum: ['delivered', 'read'] }) kind!: 'delivered' | 'read';
  /** Everything sent to the PSID at or before this time is delivered (or read). */
  @Prop({ required: true }) watermark!: Date;
  /** Message ids named by a delivery receipt (some have no watermark semantics without them). */
  @Prop({ type: [String], default: [] }) mids!: string[];
  @Prop({ required: true }) receivedAt!: Date;
}

export const DeliveryReceiptSchema = SchemaFactory.createForClass(DeliveryReceipt);
// Stats: a Page's receipts since a run started (by watermark, or by arrival).
DeliveryReceiptSchema.index({ pageId: 1, watermark: 1 });
DeliveryReceiptSchema.index({ pageId: 1, receivedAt: 1 });

/**
 * The right to send for one Page (SPEC §8): the insert of (pageId, epoch) makes one
 * worker the holder; it renews `expiresAt` while it sends, and a worker that finds
 * it expired takes over by inserting the next epoch.
 */
@Schema({ collection: 'page_leases', versionKey: false })
export class PageLease {
  /** `<pageId>:<epoch, 9 digits>`. */
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) pageId!: string;
  @Prop({ required: true }) epoch!: number;
  @Prop({ required: true }) holder!: string;
  @Prop({ required: true }) expiresAt!: Date;
}

export const PageLeaseSchema = SchemaFactory.createForClass(PageLease);
// The newest lease of a Page.
PageLeaseSchema.index({ pageId: 1, epoch: -1 });
