/**
 * What a campaign would send: the rendered Send API bodies for sample users and
 * the audience's eligibility now (preview, nothing sent), and a test-send of the
 * current message version to one user or to the Page's testers.
 */
import { HttpException, HttpStatus, Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { UsersRepository, type StoredUser } from '../audience/users.repository';
import { ApiError } from '../common/api-error';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { publicFailure } from '../messenger/graph-answer';
import { MessengerClient } from '../messenger/messenger-client.service';
import type { SendApiMessage, SendMessageBody } from '../messenger/payloads';
import { PagesService } from '../pages/pages.service';
import { SegmentsService } from '../segments/segments.service';
import { outcomeOfSend } from '../tokens/token-rules';
import { TokensService, type TokenClaim } from '../tokens/tokens.service';
import { TestSend } from './campaign.schema';
import type { StoredCampaign } from './campaign-changes.service';
import { campaignSendBody, compiledMessage, personalisationScope } from './campaign-message';
import { tokenKindOf } from './delivery-policy';
import { EligibilityCounter, eligibilityOf, type EligibilityBreakdown } from './eligibility';
import { renderMessage, type Rendered } from './personalisation';

const SAMPLE_SIZE = 10;
/** Testers sent to at once: ten testers take a few Graph round trips, not ten. */
const TESTER_CONCURRENCY = 3;
/** Between two users' renders: long enough for waiting I/O to run, short for the preview. */
const YIELD_MS = 5;

/** Why a test-send failed, as its answer shows it: a reason, a message, and Facebook's classified error when it answered. */
type TestSendError = { reason: string; message: string } & Record<string, unknown>;

/** A test-send's outcome; a failure keeps the status a single test-send answers it with. */
type TestSendAttempt =
  | { ok: true; messageId: string; request: SendMessageBody }
  | { ok: false; status: HttpStatus; error: TestSendError };

type TesterResult =
  | { psid: string; ok: true; messageId: string }
  | { psid: string; ok: false; error: TestSendError };

const fail = (status: HttpStatus, error: TestSendError): TestSendAttempt => ({
  ok: false,
  status,
  error,
});

/** A single test-send's failure as SPEC §9 answers it: 404 and 409 as any API error, Graph's in the 422/502 shape. */
function failureAnswer({ status, error }: { status: HttpStatus; error: TestSendError }) {
  if (status === HttpStatus.NOT_FOUND) return new ApiError(status, error.message);
  if (status === HttpStatus.CONFLICT) return ApiError.conflict(error.reason, error.message);
  return new HttpException({ ok: false, message: error.message, error }, status);
}

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
    private readonly tokens: TokensService,
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
   * Sends the campaign's current message now, whatever the segment and schedule,
   * as Facebook will take it under the delivery policy: to `psid`, or to each of
   * the Page's testers when no PSID is given (TestSendDto asks for exactly one
   * of the two). Each send is recorded with the message version; never counted
   * in stats; a token only with useToken.
   */
  async testSend(campaign: StoredCampaign, psid: string | undefined, useToken = false) {
    const compiled = compiledMessage(campaign);
    const messageVersion = campaign.messageVersion;
    if (psid === undefined) {
      return {
        results: await this.testSendToTesters(campaign, compiled, useToken),
        messageVersion,
      };
    }
    const sent = await this.sendTest(campaign, compiled, psid, useToken);
    if (!sent.ok) throw failureAnswer(sent);
    return { ok: true, messageId: sent.messageId, messageVersion, request: sent.request };
  }

  /** A few testers at a time, each answered in the list's order; one tester's failure never stops the others. */
  private async testSendToTesters(
    campaign: StoredCampaign,
    compiled: SendApiMessage,
    useToken: boolean,
  ) {
    const testers = await this.pages.testers(campaign.pageId);
    if (testers.length === 0) {
      throw ApiError.conflict(
        'no_testers',
        `Page ${campaign.pageId} has no testers; PUT /api/pages/${campaign.pageId}/testers first`,
      );
    }
    const results = new Array<TesterResult>(testers.length);
    let next = 0;
    const worker = async () => {
      while (next < testers.length) {
        const index = next++;
        const psid = testers[index];
        const sent = await this.sendTest(campaign, compiled, psid, useToken);
        results[index] = sent.ok
          ? { psid, ok: true, messageId: sent.messageId }
          : { psid, ok: false, error: sent.error };
      }
    };
    await Promise.all(Array.from({ length: Math.min(TESTER_CONCURRENCY, testers.length) }, worker));
    return results;
  }

  /**
   * One test-send: a PSID that is not a user of the Page, or an OTN send without
   * a token, fails before any Graph call and is not recorded; a render failure or
   * Facebook's answer is recorded.
   */
  private async sendTest(
    campaign: StoredCampaign,
    compiled: SendApiMessage,
    psid: string,
    useToken: boolean,
  ): Promise<TestSendAttempt> {
    const user = await this.users.findByPsid(campaign.pageId, psid);
    if (!user) {
      return fail(HttpStatus.NOT_FOUND, {
        reason: 'unknown_user',
        message: `user ${psid} of Page ${campaign.pageId} not found`,
      });
    }
    // Facebook refuses a send on a thread another app controls (10/2018300): say who has it instead.
    const owner = user.threadOwnerAppId;
    if (owner && owner !== this.config.appId) {
      return fail(HttpStatus.CONFLICT, {
        reason: 'thread_owned_by_other_app',
        message: `the thread of user ${psid} is owned by app ${owner}; take it back (POST /api/pages/${campaign.pageId}/threads/${psid}/take) to test-send`,
      });
    }
    const record = (fields: Partial<TestSend>) =>
      this.testSends.create({
        campaignId: String(campaign._id),
        messageVersion: campaign.messageVersion,
        psid,
        ...fields,
      });
    const rendered = this.render(campaign, compiled, user);
    if (!rendered.ok) {
      const error = { class: 'permanent', reason: rendered.reason, message: rendered.detail };
      await record({ ok: false, error });
      return fail(HttpStatus.UNPROCESSABLE_ENTITY, error);
    }
    const request = campaignSendBody(campaign, psid, rendered.message);
    const kind = tokenKindOf(campaign.delivery);
    let token: TokenClaim | undefined;
    if (useToken && kind && 'topic' in campaign.delivery) {
      // A real token of the campaign's kind and topic, claimed like the engine claims it.
      const claim = await this.tokens.claim(
        campaign.pageId,
        psid,
        kind,
        campaign.delivery.topic,
        `test-send:${String(campaign._id)}:${psid}:${randomUUID()}`,
      );
      if (!claim.claimed) {
        return fail(HttpStatus.CONFLICT, {
          reason: claim.reason,
          message: `user ${psid} has no usable ${kind} token for topic ${campaign.delivery.topic} now`,
        });
      }
      token = claim;
    }
    const result = await this.messenger.sendMessage(
      await this.pages.credentials(campaign.pageId),
      token ? { ...request, recipient: token.recipient } : request,
    );
    if (token)
      await this.tokens.settle(
        token,
        outcomeOfSend(token.kind, result.ok ? undefined : result.failure),
      );
    if (result.ok) {
      await record({ ok: true, messageId: result.value.messageId });
      // The answer shows the body as sent, never a token's value.
      const shown: SendMessageBody = token
        ? { ...request, recipient: hiddenToken(token) }
        : request;
      return { ok: true, messageId: result.value.messageId, request: shown };
    }
    const error = publicFailure(result.failure);
    await record({ ok: false, error });
    return fail(
      result.failure.kind === 'graph' ? HttpStatus.UNPROCESSABLE_ENTITY : HttpStatus.BAD_GATEWAY,
      error,
    );
  }

  /**
   * One user at a time, pausing briefly between users: a render's budget is the
   * longest the event loop waits, and other requests (health checks) get through.
   */
  private async renderSamples(campaign: StoredCampaign, users: StoredUser[]) {
    const compiled = compiledMessage(campaign);
    const samples = [];
    let timedOut: Rendered | undefined;
    for (const user of users) {
      await sleep(YIELD_MS);
      // A template that ran out of time for one sample would for the others: not again, the event loop has waited enough.
      const rendered = timedOut ?? this.render(campaign, compiled, user);
      if (!rendered.ok && rendered.reason === 'render_timeout') timedOut = rendered;
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
    const kind = tokenKindOf(campaign.delivery);
    const holders =
      kind && 'topic' in campaign.delivery
        ? await this.tokens.holders(campaign.pageId, kind, campaign.delivery.topic)
        : undefined;
    for await (const user of this.users.cursorMatching(filter)) {
      const hasToken = holders?.has(user.psid) ?? false;
      counter.add(
        eligibilityOf(user, campaign.delivery, { now, appId: this.config.appId, hasToken }),
      );
    }
    return counter.breakdown;
  }
}

/** The recipient of a token send as the API shows it: the token's kind, not its value. */
function hiddenToken(token: TokenClaim): SendMessageBody['recipient'] {
  return token.kind === 'otn'
    ? { one_time_notif_token: '(hidden)' }
    : { notification_messages_token: '(hidden)' };
}
