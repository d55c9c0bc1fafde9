/**
 * A campaign's definition (create, edit, delete) and its lifecycle (publish,
 * pause, resume, cancel). Every change goes through CampaignChangesService, so
 * concurrent requests never both win (SPEC §8).
 */
import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { isValidObjectId, type Model } from 'mongoose';
import { ApiError, type ErrorDetail } from '../common/api-error';
import { Clock } from '../common/clock';
import { definedOnly } from '../common/json';
import { AppConfig } from '../config/app-config';
import { PagesService } from '../pages/pages.service';
import { SegmentsService } from '../segments/segments.service';
import { TemplatesService } from '../templates/templates.service';
import type { CreateCampaignDto, UpdateCampaignDto } from './campaign.dto';
import { Campaign, TestSend } from './campaign.schema';
import { CampaignChangesService, type StoredCampaign } from './campaign-changes.service';
import type { CampaignAction } from './campaign-lifecycle';
import { CampaignRunsService } from './campaign-runs.service';
import { EDITABLE_STATUSES, type CampaignStatus } from './campaign-status';
import { parseDelivery, type DeliveryPolicy } from './delivery-policy';
import { composeMessage, isAudioOrVideo, MessageError } from './message-composer';
import { templateProblems } from './personalisation';
import { nextOccurrence, parseSchedule, type Schedule } from './schedule';

export interface CampaignView {
  id: string;
  pageId: string;
  name: string;
  segmentId: string;
  message: Record<string, unknown>;
  messageVersion: number;
  publishedVersion?: number;
  delivery: DeliveryPolicy;
  schedule: Schedule;
  ratePerSecond: number;
  maxErrors: number;
  status: CampaignStatus;
  /** Why it is paused: a request, a Page-fatal error (`page_fatal: graph_190_463`) or `max_errors`. */
  pausedReason?: string;
  /** The run being sent (kept while paused) and its round. */
  activeRunId?: string;
  activeRound?: number;
  nextRunAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}

const DEFAULT_RATE = 40;
const AUDIO_VIDEO_MAX_RATE = 10;
const MAX_RATE = 300;

@Injectable()
export class CampaignsService {
  constructor(
    @InjectModel(Campaign.name) private readonly campaigns: Model<Campaign>,
    @InjectModel(TestSend.name) private readonly testSends: Model<TestSend>,
    private readonly changes: CampaignChangesService,
    private readonly segments: SegmentsService,
    private readonly pages: PagesService,
    private readonly runs: CampaignRunsService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly templates: TemplatesService,
  ) {}

  async create(pageId: string, input: CreateCampaignDto): Promise<CampaignView> {
    await this.pages.get(pageId);
    const checked = await this.check(pageId, {
      ...input,
      schedule: input.schedule ?? { type: 'now' },
    });
    const created = await this.campaigns.create({
      pageId,
      name: input.name,
      segmentId: input.segmentId,
      message: input.message,
      messageVersion: 1,
      delivery: checked.delivery,
      schedule: checked.schedule,
      ratePerSecond: input.ratePerSecond ?? Math.min(DEFAULT_RATE, checked.maxRate),
      maxErrors: input.maxErrors ?? 1000,
      status: 'draft',
      revision: 0,
    });
    return toView(created.toObject());
  }

  async list(pageId: string): Promise<CampaignView[]> {
    await this.pages.get(pageId);
    return (await this.campaigns.find({ pageId }).sort({ createdAt: -1 }).limit(200).lean()).map(
      toView,
    );
  }

  async get(campaignId: string): Promise<CampaignView> {
    return toView(await this.find(campaignId));
  }

  /** Only drafts and paused campaigns change; a new message is a new version (and needs a new test-send). */
  async update(campaignId: string, input: UpdateCampaignDto): Promise<CampaignView> {
    const campaign = await this.find(campaignId);
    if (!EDITABLE_STATUSES.includes(campaign.status)) {
      throw ApiError.conflict(
        'not_editable',
        `a ${campaign.status} campaign cannot be edited (only draft or paused)`,
        { status: campaign.status },
      );
    }
    const changes = definedOnly(input);
    const checked = await this.check(campaign.pageId, { ...campaign, ...changes });
    // A utility template's parameters are the message it sends: changing them is a new version too.
    const sent = (fields: { message: unknown; delivery: unknown }) =>
      JSON.stringify([
        fields.message,
        checked.delivery.policy === 'utility' ? fields.delivery : null,
      ]);
    const messageChanged =
      sent({ message: changes.message ?? campaign.message, delivery: checked.delivery }) !==
      sent(campaign);
    const set = {
      ...changes,
      delivery: checked.delivery,
      schedule: checked.schedule,
      ...(messageChanged ? { messageVersion: campaign.messageVersion + 1 } : {}),
      ...(changes.schedule ? this.rescheduled(campaign, checked.schedule) : {}),
    };
    return toView((await this.changes.apply(campaign, { kind: 'edit', set }))!);
  }

  /**
   * The campaign as it would be with unsaved changes, checked as a save would
   * check them (400 with field paths) and stored nowhere: the builder's live preview.
   */
  async withUnsaved(
    campaign: StoredCampaign,
    unsaved: Pick<
      UpdateCampaignDto,
      'message' | 'delivery' | 'segmentId' | 'schedule' | 'ratePerSecond'
    >,
  ): Promise<StoredCampaign> {
    const changes = definedOnly(unsaved);
    if (Object.keys(changes).length === 0) return campaign;
    const checked = await this.check(campaign.pageId, { ...campaign, ...changes });
    return { ...campaign, ...changes, delivery: checked.delivery, schedule: checked.schedule };
  }

  /**
   * A published campaign's schedule may change only while it waits for its next
   * run (paused, no run in progress), and its next run follows the new schedule.
   */
  private rescheduled(campaign: StoredCampaign, schedule: Schedule): { nextRunAt?: Date } {
    if (campaign.status === 'draft') return {};
    if (campaign.activeRunId)
      throw ApiError.invalidField('schedule', 'cannot change while a run is in progress');
    if (schedule.type === 'now')
      throw ApiError.invalidField('schedule.type', 'now is for drafts; use at or cron');
    return { nextRunAt: nextOccurrence(schedule, this.clock.now()) };
  }

  async delete(campaignId: string): Promise<void> {
    await this.changes.apply(await this.find(campaignId), { kind: 'delete' });
  }

  /** Schedules the campaign, or starts it for `now`; needs a successful test-send of this message version unless forced. */
  async publish(campaignId: string, force = false) {
    const campaign = await this.find(campaignId);
    // Facebook refuses every send of a template it has not approved: forcing cannot help.
    const { delivery } = campaign;
    if (delivery.policy === 'utility')
      await this.templates.requireSendable(campaign.pageId, delivery);
    return this.act(campaign, { kind: 'publish', force, tested: await this.isTested(campaign) });
  }

  /** Continues a paused campaign; a message changed since it went live needs a test-send first, unless forced. */
  async resume(campaignId: string, force = false) {
    const campaign = await this.find(campaignId);
    return this.act(campaign, { kind: 'resume', force, tested: await this.isTested(campaign) });
  }

  async pause(campaignId: string) {
    return this.act(await this.find(campaignId), { kind: 'pause' });
  }

  async cancel(campaignId: string) {
    return this.act(await this.find(campaignId), { kind: 'cancel' });
  }

  listRuns(campaignId: string) {
    return this.find(campaignId).then(() => this.runs.list(campaignId));
  }

  async find(campaignId: string): Promise<StoredCampaign> {
    const campaign = isValidObjectId(campaignId)
      ? await this.campaigns.findById(campaignId).lean<StoredCampaign>()
      : null;
    if (!campaign) throw ApiError.notFound(`campaign ${campaignId}`);
    return campaign;
  }

  private async act(
    campaign: StoredCampaign,
    action: CampaignAction,
  ): Promise<{ status: CampaignStatus; nextRunAt?: Date }> {
    const after = (await this.changes.apply(campaign, action))!;
    return { status: after.status, ...(after.nextRunAt ? { nextRunAt: after.nextRunAt } : {}) };
  }

  private async isTested(campaign: StoredCampaign): Promise<boolean> {
    return Boolean(
      await this.testSends.exists({
        campaignId: String(campaign._id),
        messageVersion: campaign.messageVersion,
        ok: true,
      }),
    );
  }

  /** Checks every part of a campaign, collecting all problems with their fields. */
  private async check(
    pageId: string,
    input: {
      segmentId: string;
      message: Record<string, unknown>;
      delivery?: unknown;
      schedule?: unknown;
      ratePerSecond?: number;
    },
  ) {
    const problems: ErrorDetail[] = [];
    const delivery = parseDelivery(input.delivery, this.config.allowedMessageTags);
    if ('problems' in delivery) problems.push(...delivery.problems);
    else if (delivery.delivery.policy === 'utility')
      problems.push(...(await this.templates.deliveryProblems(pageId, delivery.delivery)));
    // A utility campaign sends its template, not the message.
    if ('problems' in delivery || delivery.delivery.policy !== 'utility') {
      try {
        problems.push(...templateProblems(composeMessage(input.message)));
      } catch (error) {
        if (!(error instanceof MessageError)) throw error;
        problems.push(...error.details);
      }
    }
    const schedule = parseSchedule(input.schedule, this.clock.now());
    if ('problems' in schedule) problems.push(...schedule.problems);
    const maxRate = isAudioOrVideo(input.message) ? AUDIO_VIDEO_MAX_RATE : MAX_RATE;
    if (input.ratePerSecond !== undefined && input.ratePerSecond > maxRate) {
      problems.push({
        field: 'ratePerSecond',
        reason: `must be at most ${maxRate} for audio and video`,
      });
    }
    try {
      await this.segments.get(pageId, input.segmentId);
    } catch (error) {
      if (!(error instanceof ApiError) || error.getStatus() !== 404) throw error;
      problems.push({ field: 'segmentId', reason: `no such segment on Page ${pageId}` });
    }
    if (problems.length > 0 || 'problems' in delivery || 'problems' in schedule) {
      throw ApiError.fromProblems(problems);
    }
    return { delivery: delivery.delivery, schedule: schedule.schedule, maxRate };
  }
}

function toView(campaign: StoredCampaign): CampaignView {
  return {
    id: String(campaign._id),
    pageId: campaign.pageId,
    name: campaign.name,
    segmentId: campaign.segmentId,
    message: campaign.message,
    messageVersion: campaign.messageVersion,
    publishedVersion: campaign.publishedVersion,
    delivery: campaign.delivery,
    schedule: campaign.schedule,
    ratePerSecond: campaign.ratePerSecond,
    maxErrors: campaign.maxErrors,
    status: campaign.status,
    pausedReason: campaign.pausedReason,
    activeRunId: campaign.activeRunId,
    activeRound: campaign.activeRound,
    nextRunAt: campaign.nextRunAt,
    createdAt: campaign.createdAt,
    updatedAt: campaign.updatedAt,
  };
}
