/**
 * Screen 1 of the console: the Pages with their health, registering a Page, and
 * a Page's own screen (rename, replace the credentials, the connection check, the testers).
 * Secrets are write-only: they are typed into password fields and never read back.
 */
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { api, ApiFailure } from '../api';
import { href } from '../router';
import {
  Button,
  ConfirmButton,
  Empty,
  ErrorNotice,
  Field,
  Loading,
  Notice,
  ScreenHeader,
  TextField,
} from '../ui/components';
import { useAction, useApi } from '../ui/hooks';
import { formatTime } from '../ui/time';
import type { PageView } from '../types';
import './pages.css';

interface PageDetail extends PageView {
  hasAppSecret: boolean;
  createdAt: string;
  updatedAt: string;
}

type HealthStatus = 'ok' | 'token_invalid' | 'permission_missing' | 'restricted' | 'blocked';

interface PageHealth {
  status: HealthStatus;
  since?: string;
  lastError?: {
    code?: number | null;
    subcode?: number | null;
    message?: string;
    fbtraceId?: string;
    source?: string;
  };
  /** The campaigns the Page's trouble paused (empty when none). */
  pausedCampaigns: string[];
}

const MAX_TESTERS = 10;

const HEALTH: Record<HealthStatus, { label: string; advice: string }> = {
  ok: { label: 'Can send', advice: '' },
  token_invalid: {
    label: 'Access token not valid',
    advice:
      'Facebook no longer accepts this Page’s access token. Replace it on the Page’s screen, then run the connection check.',
  },
  permission_missing: {
    label: 'Permission missing',
    advice:
      'The access token lacks a permission the Page needs to send messages. Give the app that permission, replace the token, then run the connection check.',
  },
  restricted: {
    label: 'Restricted by Facebook',
    advice:
      'Facebook restricted this Page from sending messages. Nothing can be sent until Facebook lifts the restriction.',
  },
  blocked: {
    label: 'Blocked by Facebook',
    advice:
      'Facebook blocked this Page for a policy reason. Nothing can be sent until Facebook lifts the block.',
  },
};

const healthOf = (status: string) =>
  HEALTH[status as HealthStatus] ?? { label: status.replace(/_/g, ' '), advice: '' };

export function HealthBadge(props: { status: string }) {
  return (
    <span class={`badge badge--${props.status.replace(/[^a-z_]/gi, '')}`}>
      {healthOf(props.status).label}
    </span>
  );
}

/** What went wrong last, in Facebook's words, with its error code for whoever looks it up. */
function LastError(props: { error: NonNullable<PageHealth['lastError']> }) {
  const { error } = props;
  const code =
    typeof error.code === 'number'
      ? `Facebook error ${error.code}${typeof error.subcode === 'number' ? ` (subcode ${error.subcode})` : ''}`
      : error.source === 'policy_enforcement'
        ? 'Facebook policy enforcement'
        : undefined;
  return (
    <>
      {error.message ?? 'Facebook gave no reason.'}
      {code && <span class="pg-muted"> · {code}</span>}
    </>
  );
}

/** The campaigns a Page's problem paused, by name, each linked to its run. */
function PausedCampaigns(props: { pageId: string; ids: string[] }) {
  const campaigns = useApi<{ items: { id: string; name: string }[] }>(
    props.ids.length > 0 ? `/pages/${props.pageId}/campaigns` : null,
  );
  if (props.ids.length === 0) return null;
  const names = new Map(campaigns.data?.items.map((c) => [c.id, c.name]));
  return (
    <div class="pg-paused">
      <span class="pg-term">Campaigns paused because of it</span>
      <ul>
        {props.ids.map((id) => (
          <li key={id}>
            <a href={href(`/pages/${props.pageId}/campaigns/${id}/run`)}>
              {names.get(id) ?? `Campaign ${id}`}
            </a>
          </li>
        ))}
      </ul>
      <p class="hint">They stay paused until you resume them, once the problem is solved.</p>
    </div>
  );
}

/** A Page's health in words: the status, since when, the last error and the campaigns it paused. */
export function HealthDetails(props: { pageId: string; health: PageHealth }) {
  const { health } = props;
  const { advice } = healthOf(health.status);
  if (health.status === 'ok')
    return (
      <div class="pg-health">
        <p class="pg-health__line">
          <HealthBadge status="ok" />{' '}
          {health.since ? `since ${formatTime(health.since)}` : 'No problem reported.'}
        </p>
        {health.lastError && (
          <p class="pg-muted">
            Last problem, now solved: <LastError error={health.lastError} />
          </p>
        )}
        <PausedCampaigns pageId={props.pageId} ids={health.pausedCampaigns} />
      </div>
    );
  return (
    <div class="pg-health pg-health--bad">
      <p class="pg-health__line">
        <HealthBadge status={health.status} /> {health.since && `since ${formatTime(health.since)}`}
      </p>
      {advice && <p class="pg-health__advice">{advice}</p>}
      {health.lastError && (
        <p>
          <span class="pg-term">Last error</span> <LastError error={health.lastError} />
        </p>
      )}
      <PausedCampaigns pageId={props.pageId} ids={health.pausedCampaigns} />
    </div>
  );
}

// ---------------------------------------------------------------- the list

export function PagesScreen(props: { onPagesChanged: () => void }) {
  const pages = useApi<{ items: PageView[] }>('/pages');
  const [registered, setRegistered] = useState<PageDetail>();
  return (
    <div class="pg-screen">
      <ScreenHeader title="Pages">
        <Button
          onClick={() => {
            const form = document.getElementById('register-page');
            form?.scrollIntoView({ behavior: 'smooth' });
            form?.querySelector('input')?.focus({ preventScroll: true });
          }}
        >
          Register a Page
        </Button>
      </ScreenHeader>
      {registered && (
        <Notice kind="success">
          {registered.name} is registered.{' '}
          <a href={href(`/pages/${registered.pageId}`)}>
            Open it to run the connection check and add testers
          </a>
          .
        </Notice>
      )}
      <ErrorNotice error={pages.error} title="The Pages could not be loaded" />
      {pages.loading && !pages.data && <Loading what="the Pages" />}
      {pages.data?.items.length === 0 && (
        <Empty>No Page yet. Register your first Facebook Page below to start sending.</Empty>
      )}
      {pages.data && pages.data.items.length > 0 && (
        <ul class="pg-list" aria-label="Registered Pages">
          {pages.data.items.map((page) => (
            <PageCard key={page.pageId} page={page} />
          ))}
        </ul>
      )}
      <RegisterPage
        onRegistered={(page) => {
          setRegistered(page);
          pages.reload();
          props.onPagesChanged();
        }}
      />
    </div>
  );
}

function PageCard(props: { page: PageView }) {
  const { page } = props;
  const health = useApi<PageHealth>(`/pages/${page.pageId}/health`);
  return (
    <li class="card pg-card">
      <div class="pg-card__head">
        <h2>
          <a href={href(`/pages/${page.pageId}`)}>{page.name}</a>
        </h2>
        <span class="pg-muted">
          Page id <code>{page.pageId}</code>
        </span>
      </div>
      {health.loading && !health.data && <Loading what="its health" />}
      <ErrorNotice error={health.error} title="Its health could not be loaded" />
      {health.data && <HealthDetails pageId={page.pageId} health={health.data} />}
      <p class="pg-card__links">
        <a href={href(`/pages/${page.pageId}/audience`)}>Audience</a>
        <a href={href(`/pages/${page.pageId}/segments`)}>Segments</a>
        <a href={href(`/pages/${page.pageId}/campaigns`)}>Campaigns</a>
      </p>
    </li>
  );
}

/** A password input in a Field, for a secret the API never shows again. */
function SecretField(props: {
  label: string;
  field: string;
  error?: ApiFailure;
  value: string;
  onInput: (value: string) => void;
  hint?: string;
  required?: boolean;
}) {
  return (
    <Field label={props.label} field={props.field} error={props.error} hint={props.hint}>
      {({ id, describedBy, invalid }) => (
        <input
          id={id}
          name={props.field}
          type="password"
          autocomplete="new-password"
          spellcheck={false}
          value={props.value}
          required={props.required}
          aria-describedby={describedBy}
          aria-invalid={invalid}
          onInput={(event) => props.onInput(event.currentTarget.value)}
        />
      )}
    </Field>
  );
}

function RegisterPage(props: { onRegistered: (page: PageDetail) => void }) {
  const blank = { pageId: '', name: '', accessToken: '', appSecret: '' };
  const [form, setForm] = useState(blank);
  const set = (key: keyof typeof blank) => (value: string) =>
    setForm((previous) => ({ ...previous, [key]: value }));
  const register = useAction(async () => {
    const page = await api<PageDetail>('POST', '/pages', {
      pageId: form.pageId.trim(),
      name: form.name.trim(),
      accessToken: form.accessToken.trim(),
      ...(form.appSecret.trim() ? { appSecret: form.appSecret.trim() } : {}),
    });
    setForm(blank);
    props.onRegistered(page);
  });
  const error = register.error;
  return (
    <section id="register-page" aria-labelledby="register-page-title" tabIndex={-1}>
      <h2 id="register-page-title">Register a Page</h2>
      <p class="hint pg-intro">
        The access token and the app secret are stored encrypted and never shown again, here or in
        the API.
      </p>
      <form
        class="pg-form"
        onSubmit={(event) => {
          event.preventDefault();
          void register.run();
        }}
      >
        <div class="pg-form__grid">
          <TextField
            label="Page id"
            field="pageId"
            error={error}
            value={form.pageId}
            onInput={set('pageId')}
            required
            hint="The numeric id of the Facebook Page (Page settings → About)."
          />
          <TextField
            label="Name"
            field="name"
            error={error}
            value={form.name}
            onInput={set('name')}
            limit={200}
            required
            hint="How the Page is named in this console."
          />
          <SecretField
            label="Page access token"
            field="accessToken"
            error={error}
            value={form.accessToken}
            onInput={set('accessToken')}
            required
            hint="A Page access token with the pages_messaging permission."
          />
          <SecretField
            label="App secret (optional)"
            field="appSecret"
            error={error}
            value={form.appSecret}
            onInput={set('appSecret')}
            hint="When the app requires appsecret_proof: the 32 characters from the app’s basic settings."
          />
        </div>
        <ErrorNotice
          error={error}
          title="The Page was not registered"
          shownFields={['pageId', 'name', 'accessToken', 'appSecret']}
        />
        <Button type="submit" variant="primary" busy={register.busy} busyLabel="Registering…">
          Register the Page
        </Button>
      </form>
    </section>
  );
}

// ---------------------------------------------------------------- one Page

export function PageScreen(props: { pageId: string; onPagesChanged: () => void }) {
  const { pageId } = props;
  const page = useApi<PageDetail>(`/pages/${pageId}`);
  const health = useApi<PageHealth>(`/pages/${pageId}/health`);
  const testers = useApi<{ psids: string[] }>(`/pages/${pageId}/testers`);
  if (page.error?.status === 404)
    return (
      <div class="pg-screen">
        <ScreenHeader title="Page not found" />
        <Empty>
          No Page with the id <code>{pageId}</code> is registered.{' '}
          <a href={href('/pages')}>See the Pages</a>.
        </Empty>
      </div>
    );
  const changed = () => {
    page.reload();
    props.onPagesChanged();
  };
  return (
    <div class="pg-screen">
      <ScreenHeader title={page.data?.name ?? `Page ${pageId}`}>
        <nav aria-label="This Page" class="actions">
          <a
            class="button button--secondary pg-link-button"
            href={href(`/pages/${pageId}/audience`)}
          >
            Audience
          </a>
          <a
            class="button button--secondary pg-link-button"
            href={href(`/pages/${pageId}/segments`)}
          >
            Segments
          </a>
          <a
            class="button button--secondary pg-link-button"
            href={href(`/pages/${pageId}/campaigns`)}
          >
            Campaigns
          </a>
        </nav>
      </ScreenHeader>
      <ErrorNotice error={page.error} title="The Page could not be loaded" />
      {page.loading && !page.data && <Loading what="the Page" />}
      {page.data && (
        <div class="pg-detail">
          <div class="pg-detail__column">
            <section aria-labelledby="health-title">
              <div class="pg-section-head">
                <h2 id="health-title">Health</h2>
                <Button onClick={health.reload} busy={health.loading} busyLabel="Refreshing…">
                  Refresh
                </Button>
              </div>
              <ErrorNotice error={health.error} title="The health could not be loaded" />
              {health.data && <HealthDetails pageId={pageId} health={health.data} />}
            </section>
            <ConnectionCheck
              pageId={pageId}
              testers={testers.data?.psids ?? []}
              onChecked={health.reload}
            />
            <Testers
              pageId={pageId}
              saved={testers.data?.psids}
              loadError={testers.error}
              onSaved={testers.reload}
            />
          </div>
          <div class="pg-detail__column">
            <PageFacts page={page.data} />
            <Rename page={page.data} onRenamed={changed} />
            <Credentials page={page.data} onChanged={changed} />
          </div>
        </div>
      )}
    </div>
  );
}

function PageFacts(props: { page: PageDetail }) {
  const { page } = props;
  return (
    <section aria-labelledby="facts-title">
      <h2 id="facts-title">About this Page</h2>
      <dl class="facts">
        <div>
          <dt>Page id</dt>
          <dd>
            <code>{page.pageId}</code>
          </dd>
        </div>
        <div>
          <dt>Registered</dt>
          <dd>{formatTime(page.createdAt)}</dd>
        </div>
        <div>
          <dt>Last changed</dt>
          <dd>{formatTime(page.updatedAt)}</dd>
        </div>
        <div>
          <dt>App secret</dt>
          <dd>{page.hasAppSecret ? 'Set: every call carries appsecret_proof' : 'Not set'}</dd>
        </div>
      </dl>
    </section>
  );
}

function Rename(props: { page: PageDetail; onRenamed: () => void }) {
  const [name, setName] = useState(props.page.name);
  const [saved, setSaved] = useState(false);
  useEffect(() => setName(props.page.name), [props.page.name]);
  const rename = useAction(async () => {
    setSaved(false);
    await api('PATCH', `/pages/${props.page.pageId}`, { name: name.trim() });
    setSaved(true);
    props.onRenamed();
  });
  return (
    <section aria-labelledby="rename-title">
      <h2 id="rename-title">Name</h2>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void rename.run();
        }}
      >
        <TextField
          label="Page name"
          field="name"
          error={rename.error}
          value={name}
          limit={200}
          required
          onInput={(value) => {
            setSaved(false);
            setName(value);
          }}
        />
        <ErrorNotice error={rename.error} title="Not renamed" shownFields={['name']} />
        {saved && <Notice kind="success">The name is saved.</Notice>}
        <Button
          type="submit"
          variant="primary"
          busy={rename.busy}
          busyLabel="Saving…"
          disabled={!name.trim() || name.trim() === props.page.name}
        >
          Save the name
        </Button>
      </form>
    </section>
  );
}

function Credentials(props: { page: PageDetail; onChanged: () => void }) {
  const { page } = props;
  const path = `/pages/${page.pageId}`;
  const [token, setToken] = useState('');
  const [secret, setSecret] = useState('');
  const [done, setDone] = useState<string>();
  const rotate = useAction(async () => {
    setDone(undefined);
    await api('PATCH', path, { accessToken: token.trim() });
    setToken('');
    setDone(
      'The new access token is saved; messages are sent with it from now on. Run the connection check to see that Facebook accepts it.',
    );
    props.onChanged();
  });
  const setAppSecret = useAction(async (value: string | null) => {
    setDone(undefined);
    await api('PATCH', path, { appSecret: value });
    setSecret('');
    setDone(
      value === null
        ? 'The app secret is removed: calls no longer carry appsecret_proof.'
        : 'The new app secret is saved.',
    );
    props.onChanged();
  });
  const noSubmit = (event: Event) => event.preventDefault();
  return (
    <section aria-labelledby="credentials-title">
      <h2 id="credentials-title">Access token and app secret</h2>
      <p class="hint pg-intro">
        Neither is ever shown. Replace the access token when Facebook stops accepting it, or when
        you rotate it.
      </p>
      {done && <Notice kind="success">{done}</Notice>}
      <form onSubmit={noSubmit} class="pg-credential">
        <SecretField
          label="New access token"
          field="accessToken"
          error={rotate.error}
          value={token}
          onInput={setToken}
        />
        <ErrorNotice error={rotate.error} title="Not replaced" shownFields={['accessToken']} />
        <ConfirmButton
          label="Replace the access token"
          question={`Replace the access token of ${page.name}? Every message is sent with the new token from now on; the old one is forgotten.`}
          confirmLabel="Replace it"
          variant="primary"
          busy={rotate.busy}
          disabled={!token.trim()}
          onConfirm={() => rotate.run()}
        />
      </form>
      <form onSubmit={noSubmit} class="pg-credential">
        <SecretField
          label={page.hasAppSecret ? 'New app secret' : 'App secret'}
          field="appSecret"
          error={setAppSecret.error}
          value={secret}
          onInput={setSecret}
          hint="Only when the app requires appsecret_proof: 32 characters from its basic settings."
        />
        <ErrorNotice error={setAppSecret.error} title="Not saved" shownFields={['appSecret']} />
        <div class="actions">
          <ConfirmButton
            label={page.hasAppSecret ? 'Replace the app secret' : 'Set the app secret'}
            question={`Use this app secret for ${page.name}? Every call carries appsecret_proof made with it.`}
            confirmLabel="Use it"
            busy={setAppSecret.busy}
            disabled={!secret.trim()}
            onConfirm={() => setAppSecret.run(secret.trim())}
          />
          {page.hasAppSecret && (
            <ConfirmButton
              label="Stop using the app secret"
              question={`Remove the app secret of ${page.name}? Calls no longer carry appsecret_proof, which Facebook refuses if the app requires it.`}
              confirmLabel="Remove it"
              variant="danger"
              busy={setAppSecret.busy}
              onConfirm={() => setAppSecret.run(null)}
            />
          )}
        </div>
      </form>
    </section>
  );
}

type CheckResult =
  | { kind: 'sent'; messageId: string; psid: string }
  | { kind: 'refused' | 'unreachable'; message: string };

function ConnectionCheck(props: { pageId: string; testers: string[]; onChecked: () => void }) {
  const [psid, setPsid] = useState('');
  const [text, setText] = useState('Connection check from the campaign console');
  const [result, setResult] = useState<CheckResult>();
  const listId = useId();
  const check = useAction(async () => {
    setResult(undefined);
    const to = psid.trim();
    try {
      const answer = await api<{ messageId: string }>(
        'POST',
        `/pages/${props.pageId}/test-message`,
        { psid: to, text },
      );
      setResult({ kind: 'sent', messageId: answer.messageId, psid: to });
      props.onChecked();
    } catch (error) {
      // Facebook's answer (422) or its silence (502) is the check's result, and changes the health.
      if (error instanceof ApiFailure && (error.status === 422 || error.status === 502)) {
        setResult({
          kind: error.status === 422 ? 'refused' : 'unreachable',
          message: error.message,
        });
        props.onChecked();
        return;
      }
      throw error;
    }
  });
  return (
    <section aria-labelledby="check-title">
      <h2 id="check-title">Connection check</h2>
      <p class="hint pg-intro">
        Sends one message to one person now, to prove Facebook accepts this Page’s token. The health
        above is updated with Facebook’s answer.
      </p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void check.run();
        }}
      >
        <Field
          label="Send to (PSID)"
          field="psid"
          error={check.error}
          hint="Someone who wrote to the Page in the last 24 hours, such as a tester."
        >
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              name="psid"
              inputMode="numeric"
              autocomplete="off"
              list={props.testers.length > 0 ? listId : undefined}
              value={psid}
              required
              aria-describedby={describedBy}
              aria-invalid={invalid}
              onInput={(event) => {
                check.clearError();
                setPsid(event.currentTarget.value);
              }}
            />
          )}
        </Field>
        {props.testers.length > 0 && (
          <datalist id={listId}>
            {props.testers.map((tester) => (
              <option key={tester} value={tester} />
            ))}
          </datalist>
        )}
        <TextField
          label="Message"
          field="text"
          error={check.error}
          value={text}
          limit={2000}
          required
          onInput={(value) => {
            check.clearError();
            setText(value);
          }}
        />
        <ErrorNotice error={check.error} title="Not sent" shownFields={['psid', 'text']} />
        {result?.kind === 'sent' && (
          <Notice kind="success">
            Facebook accepted the message to {result.psid}: the Page can send. Message id{' '}
            <code class="pg-break">{result.messageId}</code>
          </Notice>
        )}
        {result?.kind === 'refused' && (
          <div class="notice notice--error" role="alert">
            <strong>Facebook refused the message</strong>: {result.message}. The health above says
            what to do.
          </div>
        )}
        {result?.kind === 'unreachable' && (
          <div class="notice notice--warning" role="alert">
            <strong>Facebook could not be reached</strong>: {result.message}. Whether the message
            arrived is not known; try again in a moment.
          </div>
        )}
        <Button
          type="submit"
          variant="primary"
          busy={check.busy}
          busyLabel="Sending…"
          disabled={!psid.trim() || !text.trim()}
        >
          Send the check message
        </Button>
      </form>
    </section>
  );
}

interface TesterRow {
  key: number;
  value: string;
}

function Testers(props: {
  pageId: string;
  saved: string[] | undefined;
  loadError?: ApiFailure;
  onSaved: () => void;
}) {
  const nextKey = useRef(0);
  const toRows = (psids: string[]) => psids.map((value) => ({ key: nextKey.current++, value }));
  const [rows, setRows] = useState<TesterRow[]>([]);
  const [focusKey, setFocusKey] = useState<number>();
  const [savedNotice, setSavedNotice] = useState(false);
  // What was last sent, by row: the API names the items it refuses by their place in that list.
  const [sentRows, setSentRows] = useState<number[]>([]);
  // Rows changed since they were refused: their reason no longer applies.
  const [edited, setEdited] = useState<Set<number>>(new Set());
  const inputs = useRef(new Map<number, HTMLInputElement>());
  const savedKey = props.saved?.join(',');
  useEffect(() => {
    if (props.saved) setRows(toRows(props.saved));
    // Only a new saved list resets the rows, not a new array of the same PSIDs.
  }, [savedKey]);
  useEffect(() => {
    if (focusKey !== undefined) inputs.current.get(focusKey)?.focus();
  }, [focusKey]);

  const filled = rows.filter((row) => row.value.trim() !== '');
  const unsaved = filled.map((row) => row.value.trim()).join(',') !== (savedKey ?? '');
  const save = useAction(async () => {
    setSavedNotice(false);
    setSentRows(filled.map((row) => row.key));
    setEdited(new Set());
    await api('PUT', `/pages/${props.pageId}/testers`, {
      psids: filled.map((row) => row.value.trim()),
    });
    setSavedNotice(true);
    props.onSaved();
  });
  const error = save.error;
  const rowNumber = (key: number) => rows.findIndex((row) => row.key === key) + 1;
  /** The API's reason for a row, its `psids[i]` references turned into row numbers. */
  const reasonFor = (key: number): string | undefined => {
    const sentIndex = sentRows.indexOf(key);
    if (!error || sentIndex < 0 || edited.has(key)) return undefined;
    const reason = error.details.find((d) => d.field === `psids[${sentIndex}]`)?.reason;
    return reason?.replace(/psids\[(\d+)\]/g, (_, index: string) => {
      const other = sentRows[Number(index)];
      return other === undefined ? `tester ${Number(index) + 1}` : `tester ${rowNumber(other)}`;
    });
  };

  return (
    <section aria-labelledby="testers-title">
      <h2 id="testers-title">Testers</h2>
      <p class="hint pg-intro">
        Up to {MAX_TESTERS} people (by PSID) who receive a campaign’s test-send before it goes out.
      </p>
      <ErrorNotice error={props.loadError} title="The testers could not be loaded" />
      {props.saved === undefined && !props.loadError && <Loading what="the testers" />}
      {props.saved !== undefined && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void save.run();
          }}
        >
          {rows.length === 0 && <Empty>No tester yet.</Empty>}
          <ol class="pg-testers">
            {rows.map((row, index) => {
              const reason = reasonFor(row.key);
              const id = `tester-${row.key}`;
              return (
                <li key={row.key} class={`pg-tester${reason ? ' field--invalid' : ''}`}>
                  <label for={id}>Tester {index + 1} PSID</label>
                  <div class="pg-tester__row">
                    <input
                      id={id}
                      ref={(element) => {
                        if (element) inputs.current.set(row.key, element);
                        else inputs.current.delete(row.key);
                      }}
                      inputMode="numeric"
                      autocomplete="off"
                      value={row.value}
                      aria-invalid={Boolean(reason)}
                      aria-describedby={reason ? `${id}-error` : undefined}
                      onInput={(event) => {
                        const value = event.currentTarget.value;
                        setSavedNotice(false);
                        setEdited((previous) => new Set(previous).add(row.key));
                        setRows((previous) =>
                          previous.map((r) => (r.key === row.key ? { ...r, value } : r)),
                        );
                      }}
                    />
                    <Button
                      aria-label={`Remove tester ${index + 1}`}
                      onClick={() => {
                        setSavedNotice(false);
                        setRows((previous) => previous.filter((r) => r.key !== row.key));
                      }}
                    >
                      Remove
                    </Button>
                  </div>
                  {reason && (
                    <p class="field-error" id={`${id}-error`} role="alert">
                      {reason}
                    </p>
                  )}
                </li>
              );
            })}
          </ol>
          <ErrorNotice
            error={error}
            title="The testers were not saved"
            shownFields={sentRows.map((_, index) => `psids[${index}]`)}
          />
          {savedNotice && !unsaved && <Notice kind="success">The testers are saved.</Notice>}
          <div class="actions">
            <Button
              disabled={rows.length >= MAX_TESTERS}
              onClick={() => {
                const key = nextKey.current++;
                setRows((previous) => [...previous, { key, value: '' }]);
                setFocusKey(key);
              }}
            >
              Add a tester
            </Button>
            <Button
              type="submit"
              variant="primary"
              busy={save.busy}
              busyLabel="Saving…"
              disabled={!unsaved}
            >
              Save the testers
            </Button>
            {unsaved && <span class="pg-muted">Unsaved changes</span>}
          </div>
          {rows.length >= MAX_TESTERS && (
            <p class="hint">A Page has at most {MAX_TESTERS} testers.</p>
          )}
        </form>
      )}
    </section>
  );
}
