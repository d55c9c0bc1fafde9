/**
 * A campaign's message for one user, the same for preview, test-send and the
 * sending engine: the personalisation scope and the Send API body under the
 * campaign's delivery policy.
 */
import { HttpStatus } from '@nestjs/common';
import type { User } from '../audience/user.schema';
import { ApiError } from '../common/api-error';
import {
  sendMessageBody,
  utilityMessage,
  type SendApiMessage,
  type SendMessageBody,
} from '../messenger/payloads';
import type { Campaign } from './campaign.schema';
import { messagingTypeFor } from './delivery-policy';
import { composeMessage, MessageError } from './message-composer';
import type { PersonalisationScope } from './personalisation';

/**
 * The stored message compiled for sending. One saved before today's rules can
 * break them: that is a 409 naming its fields, to be fixed by an edit, not a 500.
 * A utility campaign sends its template, whose Liquid parameters render per user.
 */
export function compiledMessage(campaign: Pick<Campaign, 'message' | 'delivery'>): SendApiMessage {
  const { delivery } = campaign;
  if (delivery.policy === 'utility')
    return utilityMessage(delivery.template, delivery.language, delivery.parameters);
  try {
    return composeMessage(campaign.message);
  } catch (error) {
    if (!(error instanceof MessageError)) throw error;
    throw new ApiError(
      HttpStatus.CONFLICT,
      `the stored message breaks today's rules; edit it: ${error.message}`,
      error.details,
      { error: 'message_invalid' },
    );
  }
}

export function personalisationScope(
  user: Pick<User, 'psid' | 'firstName' | 'lastName' | 'locale' | 'timezone' | 'attributes'>,
  campaign: Pick<Campaign, 'name'>,
): PersonalisationScope {
  return {
    user: {
      psid: user.psid,
      firstName: user.firstName,
      lastName: user.lastName,
      locale: user.locale,
      timezone: user.timezone,
      attributes: user.attributes ?? {},
    },
    campaign: { name: campaign.name },
  };
}

export function campaignSendBody(
  campaign: Pick<Campaign, 'delivery'>,
  psid: string,
  message: SendApiMessage,
): SendMessageBody {
  return sendMessageBody({
    recipient: { id: psid },
    message,
    ...messagingTypeFor(campaign.delivery),
  });
}
