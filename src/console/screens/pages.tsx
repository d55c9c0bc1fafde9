import { href } from '../router';
import { Empty, ErrorNotice, Loading, ScreenHeader } from '../ui/components';
import { useApi } from '../ui/hooks';
import type { PageView } from '../types';

export function PagesScreen(_props: { onPagesChanged: () => void }) {
  const pages = useApi<{ items: PageView[] }>('/pages');
  return (
    <section>
      <ScreenHeader title="Pages" />
      <ErrorNotice error={pages.error} />
      {pages.loading && !pages.data && <Loading what="Pages" />}
      {pages.data?.items.length === 0 && <Empty>No Page yet.</Empty>}
      <ul>
        {pages.data?.items.map((page) => (
          <li key={page.pageId}>
            <a href={href(`/pages/${page.pageId}`)}>{page.name}</a>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function PageScreen(props: { pageId: string; onPagesChanged: () => void }) {
  return <ScreenHeader title={`Page ${props.pageId}`} />;
}
