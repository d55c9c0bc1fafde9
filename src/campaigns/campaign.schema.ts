import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';
import { CAMPAIGN_STATUSES, type CampaignStatus } from './campaign-status';
import type { DeliveryPolicy } from './delivery-policy';
import type { Schedule } from './schedule';

@Schema({ collection: 'campaigns', timestamps: true })
export class Campaign {
  @Prop({ required: true }) pageId!: string;
  @Prop({ required: true }) name!: string;
  @Prop({ required: true }) segmentId!: string;
  /** The message as the marketer wrote it (kinds and short forms); compiled when used. */
  @Prop({ type: MongooseSchema.Types.Mixed, required: true }) message!: Record<string, unknown>;
  /** Bumped whenever the message changes: publishing needs a test-send of this version. */
  @Prop({ required: true }) messageVersion!: number;
  @Prop({ type: MongooseSchema.Types.Mixed, required: true }) delivery!: DeliveryPolicy;
  @Prop({ type: MongooseSchema.Types.Mixed, required: true }) schedule!: Schedule;
  @Prop({ required: true }) ratePerSecond!: number;
  @Prop({ required: true }) maxErrors!: number;
  @Prop({ type: String, required: true, enum: CAMPAIGN_STATUSES }) status!: CampaignStatus;
  /** When the scheduler starts the next run. */
  @Prop() nextRunAt?: Date;
  /** The message version that went live at publish or at the last resume. */
  @Prop() publishedVersion?: number;
  /** The run being sent; a paused campaign keeps it, so resume continues that run. */
  @Prop() activeRunId?: string;
  /** The round of the active run: 0, then one more per retry-failed. */
  @Prop() activeRound?: number;
  /** Why the campaign is paused: a request, a Page-fatal Graph error, or too many failures. */
  @Prop() pausedReason?: string;
  /** How many changes the campaign has had: the next change is claimed under revision + 1. */
  @Prop({ required: true, default: 0 }) revision!: number;
  createdAt!: Date;
  updatedAt!: Date;
}

export const CampaignSchema = SchemaFactory.createForClass(Campaign);
// The scheduler's query: due campaigns (equality on status, range on nextRunAt).
CampaignSchema.index({ status: 1, nextRunAt: 1 });
// Listing a Page's campaigns.
CampaignSchema.index({ pageId: 1, createdAt: -1 });

/**
 * One change of a campaign (an edit, a publish, a pause, a run start…). Its insert
 * under (campaignId, revision) is the exclusive claim to move the campaign from the
 * revision that was read (SPEC §8): of concurrent requests that read the same
 * revision exactly one inserts, and only it updates the campaign. The record holds
 * everything the change does, so anyone who finds it not yet applied (its writer
 * crashed) can carry it out again with the same result.
 */
@Schema({ collection: 'campaign_changes', timestamps: { createdAt: true, updatedAt: false } })
export class CampaignChange {
  @Prop({ required: true }) campaignId!: string;
  @Prop({ required: true }) revision!: number;
  @Prop({ required: true }) action!: string;
  @Prop({ type: String, required: true, enum: CAMPAIGN_STATUSES }) from!: CampaignStatus;
  @Prop({ type: String, required: true, enum: CAMPAIGN_STATUSES }) to!: CampaignStatus;
  @Prop({ type: MongooseSchema.Types.Mixed, required: true }) set!: Record<string, unknown>;
  @Prop({ type: [String], default: [] }) unset!: string[];
  /** The run this change starts, inserted with it. */
  @Prop({ type: MongooseSchema.Types.Mixed }) run?: Record<string, unknown>;
  /** The existing run this change ends or reopens, moved before the campaign so neither is seen ahead of the other. */
  @Prop({ type: MongooseSchema.Types.Mixed }) runStatus?: {
    runId: string;
    status: RunStatus;
    at: Date;
  };
  createdAt!: Date;
}

export const CampaignChangeSchema = SchemaFactory.createForClass(CampaignChange);
// The claim: one change per campaign and revision, whichever request inserts first.
CampaignChangeSchema.index({ campaignId: 1, revision: 1 }, { unique: true });

export const RUN_STATUSES = ['started', 'completed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Where a run's current round stands, as its sender last stored it. */
export interface RunProgress {
  round: number;
  /** Every recipient taken up to this seq has a stored final record. */
  checkpointSeq: number;
  /** The user of the checkpoint's recipient: a new holder reads the segment on after it. */
  checkpointUserId?: string;
  done: number;
  failed: number;
  /** Recipients of this round: the segment's size in round 0, the retried in later ones. */
  total: number;
  /** The segment's size when round 0 started; later rounds keep it. */
  audience: number;
  /** Whether `audience` is known yet: sending starts before a large segment is counted. */
  counted: boolean;
  /** Recipients finished per second, measured over the last seconds. */
  ratePerSecond: number;
  updatedAt: Date;
}

/** One run of a campaign: the insert under (campaignId, occurrence) is the exclusive claim to start it (SPEC §8). */
@Schema({ collection: 'campaign_runs', timestamps: true })
export class CampaignRun {
  @Prop({ required: true }) campaignId!: string;
  @Prop({ required: true }) pageId!: string;
  /** The scheduled time this run is for (the publish time for `now`). */
  @Prop({ required: true }) occurrence!: Date;
  @Prop({ required: true }) messageVersion!: number;
  @Prop({ required: true }) segmentId!: string;
  /** The segment's rules when the run started: editing the segment later does not change this run's audience. */
  @Prop({ type: MongooseSchema.Types.Mixed, required: true }) segmentRules!: Record<
    string,
    unknown
  >;
  /** `started` until the engine has a final record for every recipient of its last round. */
  @Prop({ type: String, required: true, enum: RUN_STATUSES }) status!: RunStatus;
  /** Written by the holder of the Page's lease only (one writer): where sending stands. */
  @Prop({ type: MongooseSchema.Types.Mixed }) progress?: RunProgress;
  @Prop() finishedAt?: Date;
  createdAt!: Date;
}

export const CampaignRunSchema = SchemaFactory.createForClass(CampaignRun);
// One run per occurrence, whichever process gets there first.
CampaignRunSchema.index({ campaignId: 1, occurrence: 1 }, { unique: true });

/** A test-send's outcome, per message version; never part of the campaign's stats. */
@Schema({ collection: 'campaign_test_sends', timestamps: true })
export class TestSend {
  @Prop({ required: true }) campaignId!: string;
  @Prop({ required: true }) messageVersion!: number;
  @Prop({ required: true }) psid!: string;
  @Prop({ required: true }) ok!: boolean;
  @Prop() messageId?: string;
  @Prop({ type: MongooseSchema.Types.Mixed }) error?: Record<string, unknown>;
  createdAt!: Date;
}

export const TestSendSchema = SchemaFactory.createForClass(TestSend);
// Publish asks: did this version of this campaign have a successful test-send?
TestSendSchema.index({ campaignId: 1, messageVersion: 1, ok: 1 });
