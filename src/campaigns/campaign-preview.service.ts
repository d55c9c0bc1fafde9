/**
 * What a campaign would send: the rendered Send API bodies for sample users and
 * the audience's eligibility now (preview, nothing sent), and a test-send of the
 * current message version to one user.
 */
import { HttpException, HttpStatus, Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { setTimeout as sleep } from 'node:timers/promises';
import { UsersRepository, type StoredUser } from '../audience/users.repository';
import { ApiError } from '../common/api-error';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { publicFailure, valueOrGraphError } from '../messenger/graph-answer';
import { MessengerClient } from '../messenger/messenger-client.service';
import type { SendApiMessage } from '../messenger/payloads';
import { PagesService } from '../pages/pages.service';
import { SegmentsService } from '../segments/segments.service';
import { TestSend } from './campaign.schema';
import type { StoredCampaign } from './campaign-changes.service';
import { campaignSendBody, compiledMessage, personalisationScope } from './campaign-message';
import { EligibilityCounter, eligibilityOf, type EligibilityBreakdown } from './eligibility';
import { renderMessage, type Rendered } from './personalisation';

const SAMPLE_SIZE = 10;
/** Between two users' renders: long enough for waiting I/O to run, short for the preview. */
const YIELD_MS = 5;

@Injectable()
export class CampaignPreviewService {
  constructor(
    @InjectModel(TestSend.name) private readonly testSends: Model<TestSend>,
    private readonly users: UsersRepository,
    private readonly segments: SegmentsService,
    private readonly pages: PagesService,
    private readonly messenger: MessengerClient,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** The rendered Send API bodies for sample users (or the PSIDs asked for) and who could receive the message now. */
  async preview(campaign: StoredCampaign, psids?: string[]) {
    const now = this.clock.now();
    const filter = await this.segments.filterFor(campaign.pageId, campaign.segmentId, now);
    const sample = psids?.length
      ? await this.users.findByPsids(campaign.pageId, psids)
      : await this.users.findMatching(filter, SAMPLE_SIZE);
    return {
      messageVersion: campaign.messageVersion,
      samples: await this.renderSamples(campaign, sample),
      eligibility: await this.eligibility(campaign, filter, now),
    };
  }

  /**
   * Sends the campaign's current message to one user now, whatever the segment
   * and schedule, as Facebook will take it under the delivery policy. Recorded
   * with the message version; never counted in stats; a token only with useToken.
   */
  async testSend(campaign: StoredCampaign, psid: string, useToken = false) {
    const campaignId = String(campaign._id);
    const user = await this.users.findByPsid(campaign.pageId, psid);
    if (!user) throw ApiError.notFound(`user ${psid} of Page ${campaign.pageId}`);
    if (useToken && campaign.delivery.policy === 'otn') {
      throw ApiError.conflict(
        'no_token',
        `user ${psid} has no unused one-time-notification token for topic ${campaign.delivery.topic}`,
      );
    }
    const rendered = this.render(campaign, compiledMessage(campaign), user);
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
    const request = campaignSendBody(campaign, psid, rendered.message);
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

  /**
   * One user at a time, pausing briefly between users: a render's budget is the
   * longest the event loop waits, and other requests (health checks) get through.
   */
  private async renderSamples(campaign: StoredCampaign, users: StoredUser[]) {
    const compiled = compiledMessage(campaign);
    const samples = [];
    for (const user of users) {
      await sleep(YIELD_MS);
      const rendered = this.render(campaign, compiled, user);
      samples.push(
        rendered.ok
          ? {
              psid: user.psid,
              ok: true,
              request: campaignSendBody(campaign, user.psid, rendered.message),
            }
          : { psid: user.psid, ok: false, reason: rendered.reason, detail: rendered.detail },
      );
    }
    return samples;
  }

  private render(campaign: StoredCampaign, compiled: SendApiMessage, user: StoredUser): Rendered {
    return renderMessage(compiled, personalisationScope(user, campaign));
  }

  /** How the audience splits now under the campaign's delivery policy: the engine's own rule, user by user. */
  private async eligibility(
    campaign: StoredCampaign,
    filter: Record<string, unknown>,
    now: Date,
  ): Promise<EligibilityBreakdown> {
    const counter = new EligibilityCounter();
    // No notification token is stored yet (the token ledger comes with the tokens issue).
    const context = { now, appId: this.config.appId, hasToken: false };
    for await (const user of this.users.cursorMatching(filter)) {
      counter.add(eligibilityOf(user, campaign.delivery, context));
    }
    return counter.breakdown;
  }
}
