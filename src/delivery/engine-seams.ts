/**
 * What the send loop sees of the rest of the service: a few narrow seams, so the
 * loop reads on its own and each seam is the real thing in tests (the database,
 * the sandbox), with time controlled through the clock.
 */
import type { Types } from 'mongoose';
import type { StoredCampaign } from '../campaigns/campaign-changes.service';
import type { CampaignRun, RunProgress } from '../campaigns/campaign.schema';
import type { Clock } from '../common/clock';
import type { GraphFailure } from '../messenger/graph-errors';
import type { MessengerClient, PageCredentials } from '../messenger/messenger-client.service';
import type { DeliveryStore } from './delivery-store';
import type { TokensService } from '../tokens/tokens.service';
import type { PageLeases } from './page-leases';
import type { RetryPolicy } from './retry-policy';

export type { RunProgress };
export type StoredRun = CampaignRun & { _id: Types.ObjectId };

export interface EngineConfig {
  /** How often the loop renews its lease and rereads its campaigns (pause and cancel take effect within it). */
  refreshMs: number;
  leaseTtlMs: number;
  /** Send API calls in flight at once for one Page. */
  concurrencyPerPage: number;
  retry: RetryPolicy;
  /** This connector's app id: a thread it owns is no obstacle to sending. */
  appId?: string;
}

export interface EngineMetrics {
  outcome(status: string, reason?: string): void;
  recovered(count: number): void;
  /** Time a send waited for the Page's or the campaign's rate. */
  rateLimitWait(ms: number): void;
  /** Send API calls in flight went up or down by `delta`. */
  inFlight(delta: number): void;
}

export interface EngineSeams {
  store: DeliveryStore;
  leases: PageLeases;
  clock: Clock;
  messenger: Pick<MessengerClient, 'sendMessage'>;
  /** The notification-token ledger, for the otn and notification_messages policies. */
  tokens: Pick<TokensService, 'holders' | 'claim' | 'settle'>;
  config: EngineConfig;
  metrics: EngineMetrics;
  credentials(pageId: string): Promise<PageCredentials>;
  /** A Page-fatal Graph error: pause the Page's running campaigns and mark its health. */
  pageFatal(pageId: string, failure: GraphFailure): Promise<void>;
  /** The Page sent successfully (once per holder): it is healthy again. */
  pageHealthy(pageId: string): Promise<void>;
  /** A permanent "person unavailable" error: never send this user campaign messages again. */
  suppress(pageId: string, psid: string, reason: string): Promise<void>;
  pause(campaign: StoredCampaign, reason: string): Promise<void>;
  /**
   * Every recipient of the active run's round has a final record: ends the run. False when
   * the campaign could not move on now (paused meanwhile); it is finished when next picked up.
   */
  finishRun(campaign: StoredCampaign, runId: string): Promise<boolean>;
}
