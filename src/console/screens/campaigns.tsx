import { ScreenHeader } from '../ui/components';

export function CampaignsScreen(_props: { pageId: string }) {
  return <ScreenHeader title="Campaigns" />;
}

export function CampaignBuilderScreen(props: { pageId: string; campaignId: string }) {
  return <ScreenHeader title={props.campaignId === 'new' ? 'New campaign' : 'Campaign'} />;
}
