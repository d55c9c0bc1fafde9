/** The shapes of the REST API's answers that the console reads (see the OpenAPI document at /docs). */

export interface PageView {
  pageId: string;
  name: string;
  [key: string]: unknown;
}

/** GET /pages/:pageId/users/:psid and the users list. */
export interface UserView {
  pageId: string;
  psid: string;
  firstName?: string;
  lastName?: string;
  locale?: string;
  timezone?: string;
  lastInboundAt?: string;
  source: 'csv' | 'api' | 'webhook';
  suppressed: boolean;
  attributes: Record<string, string | number | boolean>;
  createdAt: string;
  updatedAt: string;
}

/** GET /pages/:pageId/segments/:segmentId and the segments list. */
export interface SegmentView {
  id: string;
  pageId: string;
  name: string;
  rules: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export type CampaignStatus =
  | 'draft'
  | 'scheduled'
  | 'running'
  | 'paused'
  | 'completed'
  | 'cancelled';

export type Schedule =
  | { type: 'now' }
  | { type: 'at'; at: string }
  | { type: 'cron'; cron: string; timezone: string };

export type DeliveryPolicy =
  | { policy: 'window'; attemptUnknownWindow?: boolean }
  | { policy: 'tag'; tag: string }
  | { policy: 'otn'; topic: string }
  | { policy: 'notification_messages'; topic: string }
  | { policy: 'utility'; template: string; language: string; parameters: string[] };

/** GET /campaigns/:id (src/campaigns/campaigns.service.ts CampaignView). */
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
  pausedReason?: string;
  activeRunId?: string;
  activeRound?: number;
  nextRunAt?: string;
  createdAt: string;
  updatedAt: string;
}

/** How many recipients of a run reached each outcome. */
export interface OutcomeCounts {
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  skipped: number;
  unknown: number;
}

/** GET /campaigns/:id/stats (a run's counts, src/delivery/outcomes.service.ts CampaignStats). */
export interface RunStats extends OutcomeCounts {
  status: CampaignStatus;
  runId?: string;
  audience: number | null;
  pending: number | null;
  byReason: Record<string, number>;
  /** The reasons split by the outcome they led to. */
  reasonsByStatus: Record<'failed' | 'skipped' | 'unknown', Record<string, number>>;
  progress: {
    done: number;
    total: number | null;
    ratePerSecond: number;
    etaSeconds: number | null;
    startedAt?: string;
    finishedAt: string | null;
  };
}
