/**
 * Who may pass or take a thread, as Facebook decides it (handover protocol /
 * conversation routing): only the app that owns the thread may pass it; only the
 * Page's primary receiver may take a thread another app owns; anyone may act on
 * an idle thread (no owner). Pure, so each rule has a row in a table test.
 */
import type { GraphErrorSpec } from './graph-error-bodies';

/** Facebook's role names; the value lists of `app_roles`. */
export type AppRoles = Record<string, string[]>;

/**
 * Facebook's refusal of a thread action by an app without the right: code 100,
 * subcode 2534037, "The action is invalid since it's not the thread owner."
 */
export const NOT_THREAD_OWNER: GraphErrorSpec = {
  code: 100,
  subcode: 2534037,
  message: "(#100) The action is invalid since it's not the thread owner.",
};

/** Facebook's refusal of a Send API call on a thread another app controls. */
export const THREAD_CONTROLLED_BY_OTHER_APP: GraphErrorSpec = {
  code: 10,
  subcode: 2018300,
  message: '(#10) Message failed to send because another app is controlling this thread now.',
};

export function primaryReceiver(roles: AppRoles): string | undefined {
  return Object.keys(roles).find((appId) => roles[appId].includes('primary_receiver'));
}

/** Why `caller` may not pass or take the thread now owned by `owner` (undefined: idle), or undefined. */
export function handoverRefusal(
  action: 'pass' | 'take',
  caller: string,
  owner: string | undefined,
  roles: AppRoles,
): GraphErrorSpec | undefined {
  if (owner === undefined || owner === caller) return undefined;
  if (action === 'take' && primaryReceiver(roles) === caller) return undefined;
  return NOT_THREAD_OWNER;
}
