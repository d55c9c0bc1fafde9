import { ScreenHeader } from '../ui/components';

export function SegmentsScreen(_props: { pageId: string }) {
  return <ScreenHeader title="Segments" />;
}

export function SegmentEditorScreen(props: { pageId: string; segmentId: string }) {
  return <ScreenHeader title={props.segmentId === 'new' ? 'New segment' : 'Segment'} />;
}
