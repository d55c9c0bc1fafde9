/**
 * A Page's ability to send (SPEC §1.9, §7), as a pure function of the Graph
 * error that last said it cannot: a bad token, a missing permission, a
 * restriction, or a policy block.
 */
import type { GraphFailure } from '../messenger/graph-errors';

export const PAGE_HEALTH_STATUSES = [
  'ok',
  'token_invalid',
  'permission_missing',
  'restricted',
  'blocked',
] as const;
export type PageHealthStatus = (typeof PAGE_HEALTH_STATUSES)[number];

export function healthStatusFor(failure: Pick<GraphFailure, 'code' | 'subcode'>): PageHealthStatus {
  const { code, subcode } = failure;
  if (code === 190 || code === 102) return 'token_invalid';
  if (code === 368) return 'blocked';
  if (code === 10 && subcode === 1893063) return 'restricted';
  return 'permission_missing';
}
