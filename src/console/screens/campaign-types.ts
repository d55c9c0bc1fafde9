/**
 * What the campaign screens read from and send to the API (src/campaigns:
 * campaign.dto.ts, campaigns.service.ts CampaignView, campaign-preview.service.ts).
 */
import type { ApiFailure } from '../api';
import type { CampaignStatus } from '../types';

export type {
  CampaignStatus,
  CampaignView,
  DeliveryPolicy,
  Schedule,
  SegmentView,
  UserView,
} from '../types';

/** What POST and PATCH take (PATCH: any subset). */
export interface CampaignInput {
  name: string;
  segmentId: string;
  message: Record<string, unknown>;
  delivery: Record<string, unknown>;
  schedule: Record<string, unknown>;
  ratePerSecond: number;
  maxErrors: number;
}

export interface TemplateView {
  id: string;
  name: string;
  language: string;
  status: string;
  reason?: string;
  components: Record<string, unknown>[];
}

/** A Send API body as the preview and a test-send answer show it. */
export interface SendBody {
  recipient: Record<string, unknown>;
  messaging_type: string;
  tag?: string;
  message: Record<string, unknown>;
}

export type PreviewSample =
  | { psid: string; ok: true; request: SendBody }
  | { psid: string; ok: false; reason: string; detail: string };

export interface Eligibility {
  audience: number;
  eligible: number;
  suppressed: number;
  thread_owned_by_other_app: number;
  window_closed: number;
  unknown_window: number;
  no_token: number;
}

export interface PreviewAnswer {
  messageVersion: number;
  samples: PreviewSample[];
  eligibility: Eligibility;
  /** Rendered from the unsaved message, delivery or segment sent with the request. */
  unsaved: boolean;
}

/** What the preview is asked to render instead of the saved campaign (nothing: the saved one). */
export interface UnsavedParts {
  message?: Record<string, unknown>;
  delivery?: Record<string, unknown>;
  segmentId?: string;
  schedule?: Record<string, unknown>;
  ratePerSecond?: number;
}

/** An attribute seen on the Page's newest users (GET /pages/:pageId/attributes). */
export interface AttributeSuggestion {
  name: string;
  type: string;
  /** How many of the sampled users hold it. */
  users: number;
  examples: unknown[];
}

/** Why a test-send failed: a reason and a message, with Facebook's code and subcode when it answered. */
export interface TestSendError {
  reason?: string;
  message?: string;
  code?: number;
  subcode?: number;
  class?: string;
  fbtraceId?: string;
}

export type TestSendResult =
  | { psid: string; ok: true; messageId: string }
  | { psid: string; ok: false; error: TestSendError };

/** The reason the preview gives for each eligibility count, in the marketer's words. */
export const ELIGIBILITY_LABELS: Record<Exclude<keyof Eligibility, 'audience'>, string> = {
  eligible: 'Can receive it now',
  window_closed: 'Messaging window closed (no message in the last 24 hours)',
  unknown_window: 'Never wrote to the Page (window unknown)',
  no_token: 'No opt-in token for the topic',
  suppressed: 'Opted out',
  thread_owned_by_other_app: 'Conversation handled by another app',
};

export const STATUS_WORDS: Record<CampaignStatus, string> = {
  draft: 'Not published yet: edit, preview and test it.',
  scheduled: 'Published: waiting for its next run.',
  running: 'Sending now.',
  paused: 'Paused: nothing is sent until it is resumed.',
  completed: 'Finished sending.',
  cancelled: 'Cancelled: it will not send again.',
};

export const EDITABLE: readonly CampaignStatus[] = ['draft', 'paused'];

/**
 * The reason the API gave for exactly `field` (not its children), for a control
 * that stands for a whole list, such as `message.quickReplies`.
 */
export function exactReason(error: ApiFailure | undefined, field: string): string | undefined {
  return error?.details.find((detail) => detail.field === field)?.reason;
}
