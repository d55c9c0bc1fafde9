/**
 * A campaign's message for one user, the same for preview, test-send and the
 * sending engine: the personalisation scope and the Send API body under the
 * campaign's delivery policy.
 */
import type { User } from '../audience/user.schema';
import { sendMessageBody, type SendApiMessage, type SendMessageBody } from '../messenger/payloads';
import type { Campaign } from './campaign.schema';
import { messagingTypeFor } from './delivery-policy';
import type { PersonalisationScope } from './personalisation';

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
