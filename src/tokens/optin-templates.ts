/**
 * The opt-in request templates as the Send API takes them: Facebook renders a
 * "Notify me" (OTN) or subscribe (marketing messages) button, and the user's tap
 * comes back as an opt-in webhook carrying the token and this payload (the topic).
 */
import type { SendApiMessage } from '../messenger/payloads';
import type { NotificationFrequency } from './token-rules';

const template = (payload: Record<string, unknown>): SendApiMessage => ({
  attachment: { type: 'template', payload },
});

export function otnRequestMessage(title: string, topic: string): SendApiMessage {
  return template({ template_type: 'one_time_notif_req', title, payload: topic });
}

export function notificationRequestMessage(request: {
  title: string;
  topic: string;
  frequency: NotificationFrequency;
  imageUrl?: string;
  timezone?: string;
}): SendApiMessage {
  return template({
    template_type: 'notification_messages',
    title: request.title,
    ...(request.imageUrl ? { image_url: request.imageUrl } : {}),
    payload: request.topic,
    notification_messages_frequency: request.frequency,
    ...(request.timezone ? { notification_messages_timezone: request.timezone } : {}),
  });
}
