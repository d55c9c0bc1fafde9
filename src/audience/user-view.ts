import type { UserView } from './user.dto';
import type { User } from './user.schema';

/** A user as the API shows it (dates as ISO strings once serialised). */
export function toUserView(user: User & { _id?: unknown }): UserView {
  return {
    pageId: user.pageId,
    psid: user.psid,
    firstName: user.firstName,
    lastName: user.lastName,
    locale: user.locale,
    timezone: user.timezone,
    lastInboundAt: user.lastInboundAt,
    source: user.source,
    suppressed: user.suppressed,
    attributes: user.attributes ?? {},
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  };
}
