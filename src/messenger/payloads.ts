/**
 * Send API and handover request bodies, built by pure functions; the client only
 * sends them. Field names are the Graph API's (snake_case on the wire).
 */
import { createHmac } from 'node:crypto';

export type MessagingType = 'RESPONSE' | 'UPDATE' | 'MESSAGE_TAG' | 'UTILITY';

export type Recipient =
  | { id: string }
  | { one_time_notif_token: string }
  | { notification_messages_token: string };

/** A Send API `message` object, as composed elsewhere (text, attachment, template…). */
export type SendApiMessage = Record<string, unknown>;

export interface SendMessageBody {
  recipient: Recipient;
  messaging_type: MessagingType;
  message: SendApiMessage;
  tag?: string;
}

export interface QuickReply {
  content_type: 'text' | 'user_email' | 'user_phone_number';
  title?: string;
  payload?: string;
  image_url?: string;
}

export function sendMessageBody(params: {
  recipient: Recipient;
  message: SendApiMessage;
  messagingType: MessagingType;
  tag?: string;
}): SendMessageBody {
  return {
    recipient: params.recipient,
    messaging_type: params.messagingType,
    message: params.message,
    ...(params.messagingType === 'MESSAGE_TAG' && params.tag ? { tag: params.tag } : {}),
  };
}

export function textMessage(text: string, quickReplies: QuickReply[] = []): SendApiMessage {
  return quickReplies.length > 0 ? { text, quick_replies: quickReplies } : { text };
}

/**
 * A utility message (sent with `messaging_type: UTILITY`): the Page's approved
 * template by name and language, with one text parameter per `{{n}}` of its body.
 */
export function utilityMessage(
  name: string,
  language: string,
  parameters: readonly string[],
): SendApiMessage {
  return {
    attachment: {
      type: 'template',
      payload: {
        template_type: 'utility_messages',
        name,
        language: { code: language },
        components: [
          { type: 'body', parameters: parameters.map((text) => ({ type: 'text', text })) },
        ],
      },
    },
  };
}

export type AttachmentType = 'image' | 'video' | 'audio' | 'file';

/** Body of `POST /me/message_attachments`: uploads by URL, answering an attachment id to reuse. */
export function attachmentUploadBody(
  type: AttachmentType,
  url: string,
): { message: SendApiMessage } {
  return { message: { attachment: { type, payload: { url, is_reusable: true } } } };
}

export function passThreadControlBody(psid: string, targetAppId: string, metadata?: string) {
  return { recipient: { id: psid }, target_app_id: targetAppId, ...(metadata ? { metadata } : {}) };
}

export function takeThreadControlBody(psid: string, metadata?: string) {
  return { recipient: { id: psid }, ...(metadata ? { metadata } : {}) };
}

export function requestThreadControlBody(psid: string, metadata?: string) {
  return { recipient: { id: psid }, ...(metadata ? { metadata } : {}) };
}

/** HMAC-SHA256 of the access token keyed by the app secret, hex (Graph's appsecret_proof). */
export function appsecretProof(accessToken: string, appSecret: string): string {
  return createHmac('sha256', appSecret).update(accessToken).digest('hex');
}

/** The Page Inbox's app id: the default target of "pass thread control". */
export const PAGE_INBOX_APP_ID = '263902037430900';
