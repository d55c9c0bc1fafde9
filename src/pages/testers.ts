/**
 * A Page's testers (SPEC §1.4, §7): the PSIDs a campaign is test-sent to before
 * it is published. Pure, so the rule is table-tested.
 */
import { psidProblem } from '../audience/user-rules';
import type { ErrorDetail } from '../common/api-error';

export const MAX_TESTERS = 10;

/** What is wrong with a list of testers, each problem naming its item (`psids[2]`); empty when it is fine. */
export function testerProblems(psids: readonly unknown[]): ErrorDetail[] {
  // A long list is refused whole: naming each of its items would make a huge answer.
  if (psids.length > MAX_TESTERS) {
    return [{ field: 'psids', reason: `must hold at most ${MAX_TESTERS} testers` }];
  }
  const firstIndex = new Map<string, number>();
  return psids.flatMap((psid, index): ErrorDetail[] => {
    const field = `psids[${index}]`;
    if (typeof psid !== 'string') return [{ field, reason: 'must be a string of digits' }];
    const problem = psidProblem(psid);
    if (problem) return [{ field, reason: problem.replace(/^psid /, '') }];
    const first = firstIndex.get(psid);
    if (first !== undefined) return [{ field, reason: `repeats psids[${first}]` }];
    firstIndex.set(psid, index);
    return [];
  });
}
