/**
 * Sends the opt-in request templates (SPEC §7 otn-requests, notification-requests)
 * to one user or to a segment, only inside the standard messaging window: Facebook
 * allows a request there alone, and an opt-in does not open the window.
 */
import { Injectable } from '@nestjs/common';
import { UsersRepository } from '../audience/users.repository';
import { ApiError } from '../common/api-error';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { eligibilityOf, type EligibilityFacts } from '../campaigns/eligibility';
import { publicFailure } from '../messenger/graph-answer';
import { MessengerClient, type PageCredentials } from '../messenger/messenger-client.service';
import { sendMessageBody, type SendApiMessage } from '../messenger/payloads';
import { PagesService } from '../pages/pages.service';
import { SegmentsService } from '../segments/segments.service';

/** Requests in flight at once for a segment: a few Graph round trips overlap, the Page's rate is not approached. */
const CONCURRENCY = 4;
const WINDOW_ONLY = { policy: 'window', attemptUnknownWindow: false } as const;

export type OptinRequestResult =
  | { psid: string; ok: true; messageId: string }
  | { psid: string; ok: false; reason: string; error?: ReturnType<typeof publicFailure> };

export interface SegmentRequestCounts {
  audience: number;
  sent: number;
  failed: number;
  skipped: number;
  byReason: Record<string, number>;
  /** Set when a Page-fatal Graph error stopped the sending (the rest of the segment was not tried). */
  stoppedBy?: ReturnType<typeof publicFailure>;
}

@Injectable()
export class OptinRequestsService {
  constructor(
    private readonly users: UsersRepository,
    private readonly segments: SegmentsService,
    private readonly pages: PagesService,
    private readonly messenger: MessengerClient,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async toUser(
    pageId: string,
    psid: string,
    message: SendApiMessage,
  ): Promise<{ results: OptinRequestResult[] }> {
    const page = await this.pages.credentials(pageId);
    const user = await this.users.findByPsid(pageId, psid);
    if (!user) throw ApiError.notFound(`user ${psid} of Page ${pageId}`);
    return { results: [await this.sendTo(page, user, message)] };
  }

  async toSegment(
    pageId: string,
    segmentId: string,
    message: SendApiMessage,
  ): Promise<SegmentRequestCounts> {
    const page = await this.pages.credentials(pageId);
    const filter = await this.segments.filterFor(pageId, segmentId);
    const counts: SegmentRequestCounts = {
      audience: 0,
      sent: 0,
      failed: 0,
      skipped: 0,
      byReason: {},
    };
    const inFlight = new Set<Promise<void>>();
    for await (const user of this.users.cursorMatching(filter)) {
      if (counts.stoppedBy) break;
      counts.audience += 1;
      const sending = this.sendTo(page, user, message).then((result) => {
        if (result.ok) counts.sent += 1;
        else {
          if (result.error?.class === 'page_fatal') counts.stoppedBy ??= result.error;
          if (result.error) counts.failed += 1;
          else counts.skipped += 1;
          counts.byReason[result.reason] = (counts.byReason[result.reason] ?? 0) + 1;
        }
      });
      inFlight.add(sending);
      void sending.finally(() => inFlight.delete(sending));
      if (inFlight.size >= CONCURRENCY) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    return counts;
  }

  private async sendTo(
    page: PageCredentials,
    user: EligibilityFacts & { psid: string },
    message: SendApiMessage,
  ): Promise<OptinRequestResult> {
    const verdict = eligibilityOf(user, WINDOW_ONLY, {
      now: this.clock.now(),
      appId: this.config.appId,
    });
    if (verdict !== 'eligible') return { psid: user.psid, ok: false, reason: verdict };
    const result = await this.messenger.sendMessage(
      page,
      sendMessageBody({ recipient: { id: user.psid }, message, messagingType: 'UPDATE' }),
    );
    if (result.ok) return { psid: user.psid, ok: true, messageId: result.value.messageId };
    return {
      psid: user.psid,
      ok: false,
      reason: result.failure.reason,
      error: publicFailure(result.failure),
    };
  }
}
