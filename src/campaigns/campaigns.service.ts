import { HttpException, HttpStatus, Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { isValidObjectId, type Model } from 'mongoose';
import type { UserView } from '../audience/user.dto';
import { User } from '../audience/user.schema';
import { toUserView } from '../audience/user-view';
import { ApiError, type ErrorDetail } from '../common/api-error';
import { definedOnly } from '../common/json';
import { AppConfig } from '../config/app-config';
import { publicFailure, valueOrGraphError } from '../messenger/graph-answer';
import { MessengerClient } from '../messenger/messenger-client.service';
import { sendMessageBody, type SendApiMessage } from '../messenger/payloads';
import { PagesService } from '../pages/pages.service';
import {
  AD_REFERRAL_WINDOW_MS,
  reachableNowFilter,
  STANDARD_WINDOW_MS,
} from '../segments/reachability';
import { SegmentsService } from '../segments/segments.service';
import type { CreateCampaignDto, UpdateCampaignDto } from './campaign.dto';
import { Campaign, TestSend } from './campaign.schema';
import { CampaignRunsService } from './campaign-runs.service';
import { canTransition, EDITABLE_STATUSES, type CampaignStatus } from './campaign-status';
import { messagingTypeFor, parseDelivery, type DeliveryPolicy } from './delivery-policy';
import { composeMessage, isAudioOrVideo, MessageError } from './message-composer';
import { renderMessage, templateProblems, type Rendered } from './personalisation';
import { parseSchedule, nextOccurrence, type Schedule } from './schedule';

type StoredCampaign = Campaign & { _id: unknown };

export interface CampaignView {
  id: string;
  pageId: string;
  name: string;
  segmentId: string;
  message: Record<string, unknown>;
  messageVersion: number;
  delivery: DeliveryPolicy;
  schedule: Schedule;
  ratePerSecond: number;
  maxErrors: number;
  status: CampaignStatus;
  nextRunAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}

const DEFAULT_RATE = 40;
const AUDIO_VIDEO_MAX_RATE = 10;

@Injectable()
export class CampaignsService {
  constructor(
    @InjectModel(Campaign.name) private readonly campaigns: Model<Campaign>,
    @InjectModel(TestSend.name) private readonly testSends: Model<TestSend>,
    @InjectModel(User.name) private readonly users: Model<User>,
    private readonly segments: SegmentsService,
    private readonly pages: PagesService,
    private readonly messenger: MessengerClient,
    private readonly runs: CampaignRunsService,
    private readonly config: AppConfig,
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
    const messageChanged =
      changes.message !== undefined &&
      JSON.stringify(changes.message) !== JSON.stringify(campaign.message);
    const set = {
      ...changes,
      delivery: checked.delivery,
      schedule: checked.schedule,
      ...(messageChanged ? { messageVersion: campaign.messageVersion + 1 } : {}),
    };
    const updated = await this.campaigns
      .findOneAndUpdate({ _id: campaign._id }, { $set: set }, { new: true })
      .lean();
    return toView(updated!);
  }

  async delete(campaignId: string): Promise<void> {
    const campaign = await this.find(campaignId);
    if (campaign.status !== 'draft')
      throw ApiError.conflict(
        'not_draft',
        `only a draft can be deleted; cancel a ${campaign.status} campaign`,
        { status: campaign.status },
      );
    await this.campaigns.deleteOne({ _id: campaign._id, status: 'draft' });
  }

  /** Schedules the campaign, or starts it for `now`; needs a successful test-send of this message version unless forced. */
  async publish(
    campaignId: string,
    force = false,
  ): Promise<{ status: CampaignStatus; nextRunAt?: Date }> {
    const campaign = await this.find(campaignId);
    const now = new Date();
    const target: CampaignStatus = campaign.schedule.type === 'now' ? 'running' : 'scheduled';
    this.assertTransition(campaign, target);
    if (
      !force &&
      !(await this.testSends.exists({
        campaignId,
        messageVersion: campaign.messageVersion,
        ok: true,
      }))
    ) {
      throw ApiError.conflict(
        'test_send_required',
        `message version ${campaign.messageVersion} has no successful test-send; test-send it or publish with force: true`,
      );
    }
    if (campaign.schedule.type === 'now') {
      await this.runs.startRun(campaign, now);
      return { status: 'running' };
    }
    const nextRunAt = nextOccurrence(campaign.schedule, now);
    if (!nextRunAt) throw ApiError.invalidField('schedule.at', 'must be in the future');
    await this.campaigns.updateOne(
      { _id: campaign._id },
      { $set: { status: 'scheduled', nextRunAt } },
    );
    return { status: 'scheduled', nextRunAt };
  }

  async transition(
    campaignId: string,
    to: 'paused' | 'running' | 'cancelled',
  ): Promise<{ status: CampaignStatus }> {
    const campaign = await this.find(campaignId);
    if (to === 'running' && campaign.status !== 'paused') {
      throw ApiError.conflict(
        'invalid_transition',
        `only a paused campaign can be resumed; this one is ${campaign.status}`,
        { status: campaign.status },
      );
    }
    this.assertTransition(campaign, to);
    await this.campaigns.updateOne({ _id: campaign._id }, { $set: { status: to } });
    return { status: to };
  }

  listRuns(campaignId: string) {
    return this.find(campaignId).then(() => this.runs.list(campaignId));
  }

  /** The rendered Send API bodies for sample users and who could receive the message now. Nothing is sent. */
  async preview(campaignId: string, psids?: string[]) {
    const campaign = await this.find(campaignId);
    const now = new Date();
    const filter = await this.segments.filterFor(campaign.pageId, campaign.segmentId, now);
    const sample = psids?.length
      ? await this.users.find({ pageId: campaign.pageId, psid: { $in: psids } }).lean()
      : await this.users.find(filter).limit(10).lean();
    const compiled = composeMessage(campaign.message);
    return {
      messageVersion: campaign.messageVersion,
      samples: await this.renderSamples(campaign, compiled, sample),
      eligibility: await this.eligibility(campaign, filter, now),
    };
  }

  /**
   * Sends the campaign's current message to one user now, whatever the segment
   * and schedule, as Facebook will take it under the delivery policy. Recorded
   * with the message version; never counted in stats; a token only with useToken.
   */
  async testSend(campaignId: string, psid: string, useToken = false) {
    const campaign = await this.find(campaignId);
    const user = await this.users.findOne({ pageId: campaign.pageId, psid }).lean();
    if (!user) throw ApiError.notFound(`user ${psid} of Page ${campaign.pageId}`);
    if (useToken && campaign.delivery.policy === 'otn') {
      throw ApiError.conflict(
        'no_token',
        `user ${psid} has no unused one-time-notification token for topic ${campaign.delivery.topic}`,
      );
    }
    const rendered = this.render(campaign, composeMessage(campaign.message), toUserView(user));
    const record = (fields: Partial<TestSend>) =>
      this.testSends.create({
        campaignId,
        messageVersion: campaign.messageVersion,
        psid,
        ...fields,
      });
    if (!rendered.ok) {
      const error = { class: 'permanent', reason: rendered.reason, message: rendered.detail };
      await record({ ok: false, error });
      throw new HttpException(
        { ok: false, message: rendered.detail, error },
        HttpStatus.UNPROCESSABLE_ENTITY,
      );
    }
    const request = this.sendBody(campaign, psid, rendered.message);
    const result = await this.messenger.sendMessage(
      await this.pages.credentials(campaign.pageId),
      request,
    );
    await record(
      result.ok
        ? { ok: true, messageId: result.value.messageId }
        : { ok: false, error: publicFailure(result.failure) },
    );
    const sent = valueOrGraphError(result);
    return {
      ok: true,
      messageId: sent.messageId,
      messageVersion: campaign.messageVersion,
      request,
    };
  }

  /** One user at a time, yielding between users: a render's budget is the longest the event loop waits. */
  private async renderSamples(campaign: StoredCampaign, compiled: SendApiMessage, users: User[]) {
    const samples = [];
    for (const user of users) {
      await yieldToEventLoop();
      const rendered = this.render(campaign, compiled, toUserView(user));
      samples.push(
        rendered.ok
          ? {
              psid: user.psid,
              ok: true,
              request: this.sendBody(campaign, user.psid, rendered.message),
            }
          : { psid: user.psid, ok: false, reason: rendered.reason, detail: rendered.detail },
      );
    }
    return samples;
  }

  private render(campaign: StoredCampaign, compiled: SendApiMessage, user: UserView): Rendered {
    return renderMessage(compiled, {
      user: {
        psid: user.psid,
        firstName: user.firstName,
        lastName: user.lastName,
        locale: user.locale,
        timezone: user.timezone,
        attributes: user.attributes,
      },
      campaign: { name: campaign.name },
    });
  }

  private sendBody(campaign: StoredCampaign, psid: string, message: SendApiMessage) {
    return sendMessageBody({
      recipient: { id: psid },
      message,
      ...messagingTypeFor(campaign.delivery),
    });
  }

  /** How the audience splits now under the campaign's delivery policy. */
  private async eligibility(campaign: StoredCampaign, filter: Record<string, unknown>, now: Date) {
    const count = (extra: Record<string, unknown>) =>
      this.users.countDocuments({ $and: [filter, extra] });
    const otherOwner = { threadOwnerAppId: { $exists: true, $nin: [this.config.appId ?? ''] } };
    const open = reachableNowFilter(now);
    const known = {
      $or: [{ lastInboundAt: { $exists: true } }, { adReferralAt: { $exists: true } }],
    };
    const closed = {
      suppressed: false,
      ...known,
      $nor: [
        { lastInboundAt: { $gte: new Date(now.getTime() - STANDARD_WINDOW_MS) } },
        { adReferralAt: { $gte: new Date(now.getTime() - AD_REFERRAL_WINDOW_MS) } },
      ],
    };
    const unknownWindow = {
      suppressed: false,
      lastInboundAt: { $exists: false },
      adReferralAt: { $exists: false },
    };
    const [
      audience,
      suppressed,
      threadOwned,
      windowOpen,
      windowClosed,
      windowUnknown,
      notSuppressed,
    ] = await Promise.all([
      this.users.countDocuments(filter),
      count({ suppressed: true }),
      count({ suppressed: false, ...otherOwner }),
      count({ $and: [open, { $nor: [otherOwner] }] }),
      count({ $and: [closed, { $nor: [otherOwner] }] }),
      count({ $and: [unknownWindow, { $nor: [otherOwner] }] }),
      count({ suppressed: false, $nor: [otherOwner] }),
    ]);
    const delivery = campaign.delivery;
    const breakdown = {
      audience,
      eligible: 0,
      window_closed: 0,
      unknown_window: 0,
      no_token: 0,
      suppressed,
      thread_owned_by_other_app: threadOwned,
    };
    if (delivery.policy === 'window') {
      breakdown.eligible = windowOpen + (delivery.attemptUnknownWindow ? windowUnknown : 0);
      breakdown.window_closed = windowClosed;
      breakdown.unknown_window = delivery.attemptUnknownWindow ? 0 : windowUnknown;
    } else if (delivery.policy === 'tag') {
      breakdown.eligible = notSuppressed;
    } else {
      // No notification token is stored yet (the token ledger comes with the tokens issue).
      breakdown.no_token = notSuppressed;
    }
    return breakdown;
  }

  private assertTransition(campaign: StoredCampaign, to: CampaignStatus): void {
    if (!canTransition(campaign.status, to)) {
      throw ApiError.conflict(
        'invalid_transition',
        `a ${campaign.status} campaign cannot become ${to}`,
        { status: campaign.status },
      );
    }
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
    try {
      problems.push(...templateProblems(composeMessage(input.message)));
    } catch (error) {
      if (!(error instanceof MessageError)) throw error;
      problems.push(...error.details);
    }
    const delivery = parseDelivery(input.delivery, this.config.allowedMessageTags);
    if ('problems' in delivery) problems.push(...delivery.problems);
    const schedule = parseSchedule(input.schedule, new Date());
    if ('problems' in schedule) problems.push(...schedule.problems);
    const maxRate = isAudioOrVideo(input.message) ? AUDIO_VIDEO_MAX_RATE : 300;
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

  private async find(campaignId: string): Promise<StoredCampaign> {
    const campaign = isValidObjectId(campaignId)
      ? await this.campaigns.findById(campaignId).lean()
      : null;
    if (!campaign) throw ApiError.notFound(`campaign ${campaignId}`);
    return campaign;
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
    delivery: campaign.delivery,
    schedule: campaign.schedule,
    ratePerSecond: campaign.ratePerSecond,
    maxErrors: campaign.maxErrors,
    status: campaign.status,
    nextRunAt: campaign.nextRunAt,
    createdAt: campaign.createdAt,
    updatedAt: campaign.updatedAt,
  };
}
