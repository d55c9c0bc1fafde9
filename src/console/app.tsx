/**
 * The console's shell: the API token gate, the Page picker, the navigation, and
 * the screen of the current route. Every screen reads and writes through the public REST API.
 */
import { useEffect, useId, useState } from 'preact/hooks';
import { api, session, whenUnauthorised, type ApiFailure } from './api';
import { href, match, navigate, useRoute } from './router';
import { AudienceScreen, UserScreen } from './screens/audience';
import { CampaignBuilderScreen, CampaignsScreen } from './screens/campaigns';
import { PageScreen, PagesScreen } from './screens/pages';
import { RunDashboardScreen } from './screens/run-dashboard';
import { SegmentEditorScreen, SegmentsScreen } from './screens/segments';
import { Button, ErrorNotice, Field } from './ui/components';
import { useAction, useApi } from './ui/hooks';
import type { PageView } from './types';

export function App() {
  const [signedIn, setSignedIn] = useState(Boolean(session.token()));
  const [expired, setExpired] = useState(false);
  useEffect(
    () =>
      whenUnauthorised(() => {
        session.signOut();
        setExpired(true);
        setSignedIn(false);
      }),
    [],
  );
  if (!signedIn)
    return (
      <SignIn
        expired={expired}
        onSignedIn={() => {
          setExpired(false);
          setSignedIn(true);
        }}
      />
    );
  return (
    <Shell
      onSignOut={() => {
        session.signOut();
        setSignedIn(false);
      }}
    />
  );
}

function SignIn(props: { expired: boolean; onSignedIn: () => void }) {
  const [token, setToken] = useState('');
  const check = useAction(async (candidate: string) => {
    // Any authenticated read tells whether the token is good.
    await api('GET', '/pages', undefined, { token: candidate });
    session.signIn(candidate);
    props.onSignedIn();
  });
  const failure: ApiFailure | undefined = check.error;
  return (
    <main class="sign-in">
      <h1>Messenger campaigns</h1>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void check.run(token.trim());
        }}
      >
        {props.expired && !failure && (
          <p class="notice notice--warning" role="status">
            The service refused the API token; enter it again.
          </p>
        )}
        <Field
          label="API token"
          hint="One of the service's API_TOKENS. It is kept in this browser tab only."
        >
          {({ id, describedBy }) => (
            <input
              id={id}
              name="token"
              type="password"
              autocomplete="current-password"
              value={token}
              aria-describedby={describedBy}
              aria-invalid={Boolean(failure)}
              required
              onInput={(event) => setToken(event.currentTarget.value)}
            />
          )}
        </Field>
        {failure && (
          <p class="notice notice--error" role="alert">
            {failure.status === 401
              ? 'This API token is not valid for this service. Check it and try again.'
              : failure.message}
          </p>
        )}
        <Button
          type="submit"
          variant="primary"
          busy={check.busy}
          busyLabel="Checking…"
          disabled={!token.trim()}
        >
          Sign in
        </Button>
      </form>
    </main>
  );
}

const SECTIONS = [
  { key: 'audience', label: 'Audience' },
  { key: 'segments', label: 'Segments' },
  { key: 'campaigns', label: 'Campaigns' },
] as const;

function Shell(props: { onSignOut: () => void }) {
  const path = useRoute();
  const pages = useApi<{ items: PageView[] }>('/pages');
  const pageId = /^\/pages\/([^/]+)/.exec(path)?.[1];
  const section = /^\/pages\/[^/]+\/([a-z]+)/.exec(path)?.[1];
  useEffect(() => {
    if (path === '/') navigate('/pages');
  }, [path]);
  return (
    <div class="shell">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href={href('/pages')}>
          Messenger campaigns
        </a>
        <PagePicker pages={pages.data?.items ?? []} pageId={pageId} section={section} />
        <nav aria-label="Sections">
          <a href={href('/pages')} aria-current={path === '/pages' ? 'page' : undefined}>
            Pages
          </a>
          {pageId &&
            SECTIONS.map((item) => (
              <a
                key={item.key}
                href={href(`/pages/${pageId}/${item.key}`)}
                aria-current={section === item.key ? 'page' : undefined}
              >
                {item.label}
              </a>
            ))}
        </nav>
        <Button onClick={props.onSignOut}>Sign out</Button>
      </header>
      <main id="main" tabIndex={-1}>
        <ErrorNotice error={pages.error} title="Pages could not be loaded" />
        <Screen path={path} onPagesChanged={pages.reload} />
      </main>
    </div>
  );
}

function PagePicker(props: { pages: PageView[]; pageId?: string; section?: string }) {
  const id = useId();
  if (props.pages.length === 0) return null;
  // A label beside, not around, the select: around it, the chosen Page's name would join the label's.
  return (
    <div class="page-picker">
      <label for={id}>Page</label>
      <select
        id={id}
        value={props.pageId ?? ''}
        onChange={(event) => {
          const next = event.currentTarget.value;
          if (next) navigate(`/pages/${next}/${props.section ?? 'campaigns'}`);
        }}
      >
        {!props.pageId && <option value="">Choose a Page</option>}
        {props.pages.map((page) => (
          <option key={page.pageId} value={page.pageId}>
            {page.name} ({page.pageId})
          </option>
        ))}
      </select>
    </div>
  );
}

const ROUTES: [
  string,
  (params: Record<string, string>, onPagesChanged: () => void) => preact.JSX.Element,
][] = [
  ['/pages', (_, changed) => <PagesScreen onPagesChanged={changed} />],
  ['/pages/:pageId', (p, changed) => <PageScreen pageId={p.pageId} onPagesChanged={changed} />],
  ['/pages/:pageId/audience', (p) => <AudienceScreen pageId={p.pageId} />],
  ['/pages/:pageId/users/:psid', (p) => <UserScreen pageId={p.pageId} psid={p.psid} />],
  ['/pages/:pageId/segments', (p) => <SegmentsScreen pageId={p.pageId} />],
  [
    '/pages/:pageId/segments/:segmentId',
    (p) => <SegmentEditorScreen pageId={p.pageId} segmentId={p.segmentId} />,
  ],
  ['/pages/:pageId/campaigns', (p) => <CampaignsScreen pageId={p.pageId} />],
  [
    '/pages/:pageId/campaigns/:campaignId',
    (p) => <CampaignBuilderScreen pageId={p.pageId} campaignId={p.campaignId} />,
  ],
  [
    '/pages/:pageId/campaigns/:campaignId/run',
    (p) => <RunDashboardScreen pageId={p.pageId} campaignId={p.campaignId} />,
  ],
];

function Screen(props: { path: string; onPagesChanged: () => void }) {
  for (const [pattern, screen] of ROUTES) {
    const params = match(pattern, props.path);
    if (params) return screen(params, props.onPagesChanged);
  }
  return (
    <section>
      <h1>Not found</h1>
      <p>
        Nothing lives at <code>{props.path}</code>. <a href={href('/pages')}>Go to the Pages</a>.
      </p>
    </section>
  );
}
