import { ScreenHeader } from '../ui/components';

export function AudienceScreen(_props: { pageId: string }) {
  return <ScreenHeader title="Audience" />;
}

export function UserScreen(props: { pageId: string; psid: string }) {
  return <ScreenHeader title={`User ${props.psid}`} />;
}
