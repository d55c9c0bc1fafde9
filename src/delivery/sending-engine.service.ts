/**
 * The worker side of sending (ROLE worker or all): every tick it looks for Pages
 * with a run to send, takes the lease of those no worker holds, and runs a
 * PageSender for each. Pages spread over workers by the lease: a worker that
 * holds more Pages waits a little longer before reaching for another.
 */
import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { UsersRepository } from '../audience/users.repository';
import { CampaignChangesService, type StoredCampaign } from '../campaigns/campaign-changes.service';
import { PagePauses } from '../campaigns/page-pauses.service';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import type { GraphFailure } from '../messenger/graph-errors';
import { MessengerClient } from '../messenger/messenger-client.service';
import { PageHealthService } from '../pages/page-health.service';
import { PagesService } from '../pages/pages.service';
import { TokensService } from '../tokens/tokens.service';
import { DeliveryMetrics } from './delivery-metrics';
import { DeliveryStore } from './delivery-store';
import type { EngineConfig, EngineSeams } from './engine-seams';
import { PageLeases } from './page-leases';
import { PageSender, type PagePace } from './page-sender';
import { SendRateLimiter } from './rate-limiter';
import { SchedulingDelay } from './scheduling-delay';
import { WindowCap } from './window-cap';
import { DEFAULT_RETRY_POLICY } from './retry-policy';

@Injectable()
export class SendingEngine implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SendingEngine.name);
  /** This process among the workers: the holder name in its leases. */
  readonly workerId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly senders = new Map<string, { sender: PageSender; done: Promise<void> }>();
  /** One pace per Page for the life of the process, so consecutive senders share it. */
  private readonly paces = new Map<string, PagePace>();
  /** Rounds this worker finished (`runId:round`), so no sender picks one up again. */
  private readonly finishedRounds = new Set<string>();
  /** How late this process runs its timers: the margin of every Page's window cap. */
  private readonly delay = new SchedulingDelay();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private readonly seams: EngineSeams;

  constructor(
    private readonly store: DeliveryStore,
    private readonly leases: PageLeases,
    private readonly changes: CampaignChangesService,
    private readonly pauses: PagePauses,
    private readonly pages: PagesService,
    private readonly health: PageHealthService,
    private readonly users: UsersRepository,
    private readonly config: AppConfig,
    private readonly metrics: DeliveryMetrics,
    clock: Clock,
    messenger: MessengerClient,
    tokens: TokensService,
  ) {
    const engine: EngineConfig = {
      refreshMs: config.engine.refreshMs,
      leaseTtlMs: config.engine.leaseTtlMs,
      concurrencyPerPage: config.engine.concurrencyPerPage,
      retry: { ...DEFAULT_RETRY_POLICY, baseDelayMs: config.engine.retryBaseMs },
      appId: config.appId,
    };
    this.seams = {
      store,
      leases,
      clock,
      messenger,
      tokens,
      config: engine,
      metrics,
      credentials: (pageId) => pages.credentials(pageId),
      pageFatal: (pageId, failure) => this.pageFatal(pageId, failure),
      pageHealthy: (pageId) => health.recordSuccess(pageId),
      suppress: (pageId, psid, reason) => users.suppress(pageId, psid, reason),
      pause: async (campaign, reason) => {
        await this.pauses.pause(campaign, reason);
        store.forgetCampaignsRead();
      },
      finishRun: (campaign, runId) => this.finishRun(campaign, runId),
    };
  }

  onApplicationBootstrap(): void {
    if (this.config.role === 'api' || this.config.engine.tickMs === 0) return;
    this.delay.start();
    this.timer = setInterval(() => void this.tick(), this.config.engine.tickMs);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.delay.stop();
    for (const { sender } of this.senders.values()) sender.stop();
    await Promise.allSettled([...this.senders.values()].map(({ done }) => done));
  }

  /** Takes the lease of every Page with work that no worker holds; never throws. */
  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const free = (await this.store.pagesWithWork(this.config.engine.refreshMs / 2)).filter(
        (pageId) => !this.senders.has(pageId),
      );
      // Spreads Pages over workers: the busier this worker, the later it reaches for free Pages
      // (once per tick, so a worker alone still takes twenty Pages at once).
      if (free.length > 0 && this.senders.size > 0)
        await sleep(Math.random() * 20 * this.senders.size);
      for (const pageId of free) {
        const lease = await this.leases.acquire(
          pageId,
          this.workerId,
          this.config.engine.leaseTtlMs,
        );
        if (!lease) continue;
        this.metrics.leaseTaken();
        let pace = this.paces.get(pageId);
        if (!pace)
          this.paces.set(
            pageId,
            (pace = {
              limiter: new SendRateLimiter(1),
              cap: new WindowCap(1, this.delay.marginMs),
              marginMs: this.delay.marginMs,
            }),
          );
        const sender = new PageSender(this.seams, lease, pace, this.finishedRounds);
        const done = sender
          .run()
          .catch((error: unknown) =>
            this.logger.error(`Page ${pageId} stopped: ${describe(error)}`),
          )
          .finally(async () => {
            this.senders.delete(pageId);
            await this.leases.release(lease).catch(() => undefined);
          });
        this.senders.set(pageId, { sender, done });
      }
    } catch (error) {
      this.logger.error(`engine tick failed: ${describe(error)}`);
    } finally {
      this.ticking = false;
    }
  }

  /** Pages this worker sends for now. */
  heldPages(): string[] {
    return [...this.senders.keys()];
  }

  /** The Page's health first (so it is never behind its paused campaigns), then the pauses. */
  private async pageFatal(pageId: string, failure: GraphFailure): Promise<void> {
    const running = await this.pauses.running(pageId);
    await this.health.recordFailure(
      pageId,
      failure,
      running.map((campaign) => String(campaign._id)),
    );
    for (const campaign of running)
      await this.pauses.pause(campaign, `page_fatal: ${failure.reason}`);
    // A campaigns read from before these pauses would start a new sender for the Page.
    this.store.forgetCampaignsRead();
  }

  /** Ends the run and moves its campaign on (completed, or scheduled for its next occurrence). */
  private async finishRun(campaign: StoredCampaign, runId: string): Promise<boolean> {
    const current = await this.store.findCampaign(String(campaign._id));
    if (!current || current.activeRunId !== runId) return true;
    try {
      await this.changes.apply(current, { kind: 'finish', runId });
      return true;
    } catch (error) {
      // Paused or changed meanwhile: the run is finished when it is next picked up.
      this.logger.warn(`run ${runId} not finished: ${describe(error)}`);
      return false;
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
