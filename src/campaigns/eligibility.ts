/**
 * Who can receive a campaign message now (SPEC §3), as one pure function that
 * preview counts with and the sending engine decides with, so both always agree.
 */
import { AD_REFERRAL_WINDOW_MS, STANDARD_WINDOW_MS } from '../segments/reachability';
import type { DeliveryPolicy } from './delivery-policy';

/** Why a user is not sent the message; the reasons a delivery is `skipped` with. */
export const SKIP_REASONS = [
  'suppressed',
  'thread_owned_by_other_app',
  'window_closed',
  'unknown_window',
  'no_token',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** What eligibility depends on, as stored on a user. */
export interface EligibilityFacts {
  suppressed: boolean;
  lastInboundAt?: Date;
  adReferralAt?: Date;
  threadOwnerAppId?: string;
}

export interface EligibilityContext {
  now: Date;
  /** This connector's app id: a thread it owns is no obstacle. */
  appId?: string;
  /** Whether the user holds a usable notification token of the campaign's topic. */
  hasToken?: boolean;
}

/** 'eligible', or the reason the user is skipped; suppression and the thread owner come first. */
export function eligibilityOf(
  user: EligibilityFacts,
  delivery: DeliveryPolicy,
  context: EligibilityContext,
): 'eligible' | SkipReason {
  if (user.suppressed) return 'suppressed';
  if (user.threadOwnerAppId && user.threadOwnerAppId !== context.appId)
    return 'thread_owned_by_other_app';
  switch (delivery.policy) {
    case 'window': {
      const window = windowOf(user, context.now);
      if (window === 'open') return 'eligible';
      if (window === 'unknown')
        return delivery.attemptUnknownWindow ? 'eligible' : 'unknown_window';
      return 'window_closed';
    }
    case 'tag':
    case 'utility':
      // Facebook's permission outside the window: a tag, or an approved utility template.
      return 'eligible';
    case 'otn':
    case 'notification_messages':
      return context.hasToken ? 'eligible' : 'no_token';
  }
}

/** The standard messaging window: open, closed, or unknown for a user never seen by the webhook. */
export function windowOf(
  user: Pick<EligibilityFacts, 'lastInboundAt' | 'adReferralAt'>,
  now: Date,
): 'open' | 'closed' | 'unknown' {
  if (!user.lastInboundAt && !user.adReferralAt) return 'unknown';
  const since = (at: Date | undefined) => (at ? now.getTime() - at.getTime() : Infinity);
  return since(user.lastInboundAt) <= STANDARD_WINDOW_MS ||
    since(user.adReferralAt) <= AD_REFERRAL_WINDOW_MS
    ? 'open'
    : 'closed';
}

export type EligibilityBreakdown = { audience: number; eligible: number } & Record<
  SkipReason,
  number
>;

/** Counts an audience by eligibility, one user at a time. */
export class EligibilityCounter {
  readonly breakdown: EligibilityBreakdown = {
    audience: 0,
    eligible: 0,
    ...(Object.fromEntries(SKIP_REASONS.map((reason) => [reason, 0])) as Record<
      SkipReason,
      number
    >),
  };

  add(verdict: 'eligible' | SkipReason): void {
    this.breakdown.audience += 1;
    this.breakdown[verdict] += 1;
  }
}
