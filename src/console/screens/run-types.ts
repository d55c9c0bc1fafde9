/** What the run dashboard reads from the API (GET /campaigns/:id, /runs, /stats, /deliveries). */

export type { CampaignStatus, CampaignView, RunStats } from '../types';

export interface RunView {
  _id: string;
  occurrence: string;
  status: 'started' | 'completed' | 'cancelled';
  createdAt: string;
  finishedAt?: string;
  progress?: { round: number; done: number; total: number; audience: number; counted: boolean };
}

export type DeliveryStatus = 'sent' | 'failed' | 'skipped' | 'unknown' | 'sending';

export interface DeliveryView {
  psid: string;
  status: DeliveryStatus;
  reason?: string;
  messageId?: string;
  error?: { code?: number; subcode?: number; message?: string };
  attempts: number;
  round: number;
  claimedAt: string;
  sentAt?: string;
  deliveredAt?: string;
  readAt?: string;
}

const REASON_WORDS: Record<string, string> = {
  suppressed: 'Opted out or cannot be reached',
  thread_owned_by_other_app: 'Another app handles the conversation',
  window_closed: 'Last message more than 24 hours ago',
  unknown_window: 'Never wrote to the Page',
  no_token: 'No notification permission for the topic',
  frequency_cap: 'Notification limit reached for now',
  cancelled: 'Campaign cancelled before sending',
  interrupted: 'Sending stopped midway; may have arrived',
  rendered_too_long: 'Personalised message too long',
  render_timeout: 'Personalising took too long',
  retired_tag: 'Message tag no longer allowed by Facebook',
  graph_551_1545041: 'This person is not available right now',
  graph_551: 'This person is not available right now',
  graph_200_1545041: 'This person is not available right now',
  graph_10_2018108: 'This person cannot be messaged',
  graph_190_463: 'The Page’s access token expired',
  graph_100_2018001: 'No matching user found',
  graph_10_2018278: 'Outside the 24-hour window',
  graph_1_1357046: 'No answer from Facebook in time',
  graph_1: 'Facebook had an unknown problem',
  graph_2: 'Facebook had a temporary problem',
  graph_4: 'Too many requests for the app',
  graph_613: 'Too many requests for the Page',
  http_5xx: 'Facebook had a server error',
  unexpected_response: 'Facebook answered something unexpected',
};

/** A reason code in plain words (Facebook's own code kept beside it on screen). */
export function describeReason(reason: string): string {
  const known = REASON_WORDS[reason];
  if (known) return known;
  const graph = /^graph_(\d+)(?:_(\d+))?$/.exec(reason);
  if (graph)
    return graph[2] ? `Facebook error ${graph[1]} (${graph[2]})` : `Facebook error ${graph[1]}`;
  const http = /^http_(\d+)$/.exec(reason);
  if (http) return `Facebook answered HTTP ${http[1]}`;
  return reason.replace(/_/g, ' ');
}

export const STATUS_WORDS: Record<DeliveryStatus, string> = {
  sent: 'Sent',
  failed: 'Failed',
  skipped: 'Skipped',
  unknown: 'Unknown',
  sending: 'Sending',
};
