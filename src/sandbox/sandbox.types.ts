import type { GraphErrorSpec } from './graph-error-bodies';

export interface SandboxPage {
  pageId: string;
  accessToken: string;
  /** When set, calls must carry a matching appsecret_proof (Facebook's "Require App Secret"). */
  appSecret?: string;
}

/** An error to answer for a PSID; `times` limits how often (then the PSID succeeds). */
export interface ScriptedError extends GraphErrorSpec {
  times?: number;
}

/** Shares (percent) of the quotas, sent in Facebook's usage headers on every Send API answer. */
export interface SandboxUsage {
  /** `X-Page-Usage` */
  page?: number;
  /** `X-App-Usage` */
  app?: number;
  /** `X-Business-Use-Case-Usage`, one `messenger` record under the Page's id */
  businessUseCase?: number;
}

/** How the sandbox misbehaves; every field is optional and a new scenario replaces the last. */
export interface SandboxScenario {
  /** Milliseconds before each Graph answer. */
  latencyMs?: number;
  /** Send API errors by recipient PSID, e.g. 551/1545041 or 10/2018278. */
  errorsByPsid?: Record<string, ScriptedError>;
  /** PSIDs whose 24-hour window is closed: UPDATE and RESPONSE sends answer 10/2018278. */
  outsideWindowPsids?: string[];
  /** The next N Send API calls answer 613 (a throttling burst), with every usage header at 100 %. */
  throttleNext?: number;
  /** Usage headers on every Send API answer; none are sent when absent. */
  usage?: SandboxUsage;
  /** Share (0..1) of Send API calls that answer HTTP 500 with code 2. */
  serverErrorRatio?: number;
  /** PSIDs whose send is read and then answered by a connection reset. */
  resetPsids?: string[];
  /** Seed of the random choices (serverErrorRatio), for repeatable runs. */
  seed?: number;
  /** A submitted template's first status: APPROVED at once (default, as Facebook mostly does) or PENDING until scripted. */
  templateReview?: 'APPROVED' | 'PENDING';
}

/** A Page's utility template as the sandbox keeps it (Graph field names). */
export interface SandboxTemplate {
  id: string;
  name: string;
  language: string;
  category: string;
  components: Record<string, unknown>[];
  status: 'PENDING' | 'APPROVED' | 'REJECTED';
  rejected_reason?: string;
}

export interface SandboxOptions {
  /** This connector's app id: `take_thread_control` hands the thread to it. */
  appId?: string;
  /**
   * The Page's handover roles (`{"<app id>": ["primary_receiver"]}`); by default this
   * connector is the primary receiver and the Page Inbox a secondary one.
   */
  appRoles?: Record<string, string[]>;
  /** Signs the webhooks the sandbox sends. */
  appSecret?: string;
  /** Message tags the sandbox accepts (Facebook: HUMAN_AGENT only, for human replies). */
  acceptedTags?: string[];
  /** Keep at most this many recorded requests (oldest dropped); 0 records none. */
  recordLimit?: number;
  pages?: SandboxPage[];
}

export interface RecordedRequest {
  method: string;
  /** Path without the version, e.g. `/me/messages` or `/{page-id}/message_templates`. */
  path: string;
  version: string;
  query: Record<string, unknown>;
  authorization?: string;
  body: unknown;
  clientPort?: number;
  answer: { status: number; body: unknown; headers?: Record<string, string> } | 'connection_reset';
  at: Date;
}

/** What a user opts in to when they tap an opt-in request (see SandboxService.optIn). */
export interface SandboxOptin {
  type: 'one_time_notif_req' | 'notification_messages';
  /** The request's payload; it comes back in the opt-in event. */
  topic: string;
  /** Marketing messages: the frequency the user chose (default WEEKLY). */
  frequency?: 'DAILY' | 'WEEKLY' | 'MONTHLY';
  timezone?: string;
  title?: string;
}
