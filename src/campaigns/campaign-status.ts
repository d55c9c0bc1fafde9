/**
 * The campaign's lifecycle as an explicit transition table (SPEC §1, issue 4):
 * draft → scheduled → running → completed; running ⇄ paused; a scheduled
 * campaign can be paused while it waits (and resumes to scheduled); a recurring
 * campaign goes back from running to scheduled between occurrences; a
 * completed campaign runs again only to retry its failed deliveries; anything
 * but completed can be cancelled.
 */
export const CAMPAIGN_STATUSES = [
  'draft',
  'scheduled',
  'running',
  'paused',
  'completed',
  'cancelled',
] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export const TRANSITIONS: Readonly<Record<CampaignStatus, readonly CampaignStatus[]>> = {
  draft: ['scheduled', 'running', 'cancelled'],
  scheduled: ['running', 'paused', 'cancelled'],
  running: ['paused', 'completed', 'scheduled', 'cancelled'],
  paused: ['running', 'scheduled', 'cancelled'],
  completed: ['running'],
  cancelled: [],
};

export function canTransition(from: CampaignStatus, to: CampaignStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Editing is for drafts and paused campaigns only. */
export const EDITABLE_STATUSES: readonly CampaignStatus[] = ['draft', 'paused'];
