import { ScreenHeader } from '../ui/components';

export function RunDashboardScreen(_props: { pageId: string; campaignId: string }) {
  return <ScreenHeader title="Run" />;
}
