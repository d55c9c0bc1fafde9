/**
 * Opt-in webhook events as Facebook sends them when a user taps an opt-in
 * request (`messaging_optins`): a one-time-notification token, a marketing-
 * message token, or a STOP / RESUME NOTIFICATIONS change.
 */
import type { SandboxOptin } from './sandbox.types';

const envelope = (pageId: string, psid: string, timestamp: number) => ({
  sender: { id: psid },
  recipient: { id: pageId },
  timestamp,
});

export function optinEvent(
  pageId: string,
  psid: string,
  optin: SandboxOptin,
  token: string,
  expiresAt: number,
  at = Date.now(),
): Record<string, unknown> {
  if (optin.type === 'one_time_notif_req') {
    return {
      ...envelope(pageId, psid, at),
      optin: { type: 'one_time_notif_req', payload: optin.topic, one_time_notif_token: token },
    };
  }
  return {
    ...envelope(pageId, psid, at),
    optin: {
      type: 'notification_messages',
      payload: optin.topic,
      notification_messages_token: token,
      notification_messages_frequency: optin.frequency ?? 'WEEKLY',
      notification_messages_timezone: optin.timezone ?? 'UTC',
      token_expiry_timestamp: expiresAt,
      user_token_status: 'NOT_REFRESHED',
      ...(optin.title ? { title: optin.title } : {}),
    },
  };
}

export function notificationStatusEvent(
  pageId: string,
  psid: string,
  status: 'STOP NOTIFICATIONS' | 'RESUME NOTIFICATIONS',
  at = Date.now(),
): Record<string, unknown> {
  return {
    ...envelope(pageId, psid, at),
    optin: { type: 'notification_messages', notification_messages_status: status },
  };
}
