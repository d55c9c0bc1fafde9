/**
 * Who can receive a standard (UPDATE) message now (SPEC §3): not suppressed, and a
 * messaging window open: an inbound message or postback in the last 24 hours, or
 * a first message from a Click-to-Messenger ad in the last 7 days.
 */
export const STANDARD_WINDOW_MS = 24 * 60 * 60 * 1000;
export const AD_REFERRAL_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

export function reachableNowFilter(now: Date): Record<string, unknown> {
  return {
    suppressed: false,
    $or: [
      { lastInboundAt: { $gte: new Date(now.getTime() - STANDARD_WINDOW_MS) } },
      { adReferralAt: { $gte: new Date(now.getTime() - AD_REFERRAL_WINDOW_MS) } },
    ],
  };
}
