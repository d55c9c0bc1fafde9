/**
 * Screen 2 of the console: a Page's audience. CSV import with its progress and
 * its bad lines, the imports history, the users with search and paging, and one
 * user's attributes, notification tokens (never their values) and thread owner.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, query } from '../api';
import { href } from '../router';
import {
  Button,
  Empty,
  ErrorNotice,
  Loading,
  ProgressBar,
  ScreenHeader,
  SelectField,
  TableScroll,
} from '../ui/components';
import { useAction, useApi, type Loaded } from '../ui/hooks';
import { formatNumber, formatTime } from '../ui/time';
import type { PageView, UserView } from '../types';
import './audience.css';

interface UserPage {
  items: UserView[];
  nextCursor: string | null;
}

interface ImportCounts {
  rows: number;
  inserted: number;
  updated: number;
  unchanged: number;
  invalid: number;
  duplicates: number;
}

interface ImportView {
  importId: string;
  pageId: string;
  status: 'running' | 'completed' | 'failed';
  filename?: string;
  bytes: number;
  rowsProcessed: number;
  /** The file's rows (those the CSV parser refuses included); null until the import has counted them. */
  rowsTotal: number | null;
  counts: ImportCounts;
  errors: { line: number; reason: string }[];
  errorCount: number;
  failureReason?: string;
  createdAt: string;
  finishedAt?: string;
}

interface TokenView {
  id: string;
  kind: 'otn' | 'notification_messages';
  topic: string;
  status: string;
  createdAt: string;
  expiresAt: string;
  frequency?: string;
  timezone?: string;
  userTokenStatus?: string;
  title?: string;
  lastUsedAt?: string;
  nextAllowedAt?: string;
}

/** Facebook's Page Inbox app: the thread is with a person at the Page. */
const PAGE_INBOX_APP_ID = '263902037430900';
const WINDOW_MS = 24 * 3_600_000;
const PAGE_SIZES = [25, 50, 100];

const SOURCES: Record<UserView['source'], string> = {
  csv: 'CSV import',
  api: 'API',
  webhook: 'Messenger',
};

const fullName = (user: Pick<UserView, 'firstName' | 'lastName'>) =>
  [user.firstName, user.lastName].filter(Boolean).join(' ');

function usePageName(pageId: string): string | undefined {
  return useApi<PageView>(`/pages/${pageId}`).data?.name;
}

// ---------------------------------------------------------------- the audience

export function AudienceScreen(props: { pageId: string }) {
  const { pageId } = props;
  const pageName = usePageName(pageId);
  const history = useApi<{ items: ImportView[] }>(`/pages/${pageId}/imports`);
  const [shown, setShown] = useState<ImportView>();
  const [usersVersion, setUsersVersion] = useState(0);
  return (
    <div class="au-screen">
      <ScreenHeader title={pageName ? `Audience of ${pageName}` : 'Audience'} />
      <div class="au-top">
        <ImportUpload
          pageId={pageId}
          onStarted={(view) => {
            setShown(view);
            history.reload();
          }}
        />
        {shown && (
          <ImportReport
            key={shown.importId}
            initial={shown}
            onClose={() => setShown(undefined)}
            onFinished={() => {
              history.reload();
              setUsersVersion((n) => n + 1);
            }}
          />
        )}
      </div>
      <ImportsHistory history={history} shownId={shown?.importId} onShow={setShown} />
      <UsersList pageId={pageId} version={usersVersion} />
    </div>
  );
}

function ImportUpload(props: { pageId: string; onStarted: (view: ImportView) => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File>();
  const upload = useAction(async () => {
    if (!file) return;
    const form = new FormData();
    form.append('file', file, file.name);
    const started = await api<ImportView>('POST', `/pages/${props.pageId}/imports`, form);
    props.onStarted(started);
    setFile(undefined);
    if (input.current) input.current.value = '';
  });
  const error = upload.error;
  // The file's own problems (its encoding, its header row) are shown beside the file.
  const aboutFile = (field: string) =>
    field === 'file' || field === 'header' || field.startsWith('header.');
  const fileReasons = error?.details.filter((d) => aboutFile(d.field)) ?? [];
  return (
    <section aria-labelledby="import-title">
      <h2 id="import-title">Import users from a CSV file</h2>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void upload.run();
        }}
      >
        <div class={`field${fileReasons.length ? ' field--invalid' : ''}`}>
          <label for="csv-file">CSV file</label>
          <input
            id="csv-file"
            ref={input}
            name="file"
            type="file"
            accept=".csv,text/csv,text/plain"
            required
            aria-invalid={fileReasons.length > 0}
            aria-describedby={`csv-file-hint${fileReasons.length ? ' csv-file-error' : ''}`}
            onChange={(event) => {
              const chosen = event.currentTarget.files?.[0];
              upload.clearError();
              setFile(chosen);
            }}
          />
          <div class="hint" id="csv-file-hint">
            One row per user, with a header row. The PSID column is <code>psid</code>;{' '}
            <code>first_name</code>, <code>last_name</code>, <code>locale</code>,{' '}
            <code>timezone</code> and <code>last_inbound_at</code> fill the user’s fields; any other
            column is an attribute, typed by its name: <code>orders:number</code>,{' '}
            <code>vip:boolean</code>, <code>signed_up:date</code> (text by default). Bad rows are
            listed and skipped; an empty cell changes nothing.
          </div>
          {fileReasons.length > 0 && (
            <ul class="field-error au-file-errors" id="csv-file-error" role="alert">
              {fileReasons.map((detail) => (
                <li key={detail.field + detail.reason}>
                  {detail.field === 'file' ? `The file ${detail.reason}` : detail.reason}
                </li>
              ))}
            </ul>
          )}
        </div>
        <ErrorNotice
          error={error}
          title="The file was not imported"
          shownFields={['file', 'header']}
        />
        <Button
          type="submit"
          variant="primary"
          busy={upload.busy}
          busyLabel="Uploading…"
          disabled={!file}
        >
          Import
        </Button>
      </form>
    </section>
  );
}

/** One import: its progress while it runs (read again every half second), then its counts and bad lines. */
function ImportReport(props: { initial: ImportView; onFinished: () => void; onClose: () => void }) {
  const [running, setRunning] = useState(props.initial.status === 'running');
  const polled = useApi<ImportView>(
    `/imports/${props.initial.importId}`,
    running ? 500 : undefined,
  );
  const view = polled.data ?? props.initial;
  const finished = view.status !== 'running';
  useEffect(() => {
    if (finished && running) {
      setRunning(false);
      props.onFinished();
    }
  }, [finished]);
  // The end is known once the import has counted the file's rows; until then it is reading it.
  const total = view.rowsTotal ?? (finished ? view.counts.rows : null);
  const max = Math.max(total ?? 0, view.rowsProcessed, 1);
  const value = view.status === 'completed' ? max : view.rowsProcessed;
  const name = view.filename ?? 'the file';
  const label = `Progress of the import of ${name}`;
  return (
    <section aria-labelledby="report-title" class="au-report">
      <div class="au-section-head">
        <h2 id="report-title">Import of {name}</h2>
        <Button onClick={props.onClose}>Close</Button>
      </div>
      <p class="au-report__status" role="status" aria-live="polite">
        {view.status === 'running' &&
          (total === null
            ? 'Importing… reading the file…'
            : `Importing… ${formatNumber(view.rowsProcessed)} of ${formatNumber(total)} rows.`)}
        {view.status === 'completed' &&
          `Import finished ${formatTime(view.finishedAt)}: ${formatNumber(view.counts.rows)} rows read.`}
        {view.status === 'failed' && 'The import stopped before the end.'}
      </p>
      {total === null ? (
        <ReadingBar label={label} />
      ) : (
        <ProgressBar value={value} max={max} label={label} />
      )}
      <ErrorNotice error={polled.error} title="Its progress could not be read" />
      {view.status === 'failed' && (
        <div class="notice notice--error" role="alert">
          <strong>The import stopped</strong>: {view.failureReason ?? 'no reason was recorded'}.
          Import the file again to finish: rows already imported are left as they are.
        </div>
      )}
      <ImportCountsList counts={view.counts} />
      <ImportErrors view={view} />
    </section>
  );
}

/** A progress bar without an end yet: the import is still reading the file to count its rows. */
function ReadingBar(props: { label: string }) {
  return (
    <div class="progress">
      <div
        class="progress__track au-reading"
        role="progressbar"
        aria-label={props.label}
        aria-valuetext="Reading the file…"
      >
        <div class="progress__bar au-reading__sweep" />
      </div>
      <span class="progress__label">…</span>
    </div>
  );
}

function ImportCountsList(props: { counts: ImportCounts }) {
  const { counts } = props;
  const items: [string, number, string?][] = [
    ['Rows read', counts.rows],
    ['Added', counts.inserted],
    ['Updated', counts.updated],
    ['Unchanged', counts.unchanged],
    ['Bad rows', counts.invalid],
    ['Repeated', counts.duplicates, 'Rows of a PSID that appears again later in the file'],
  ];
  return (
    <dl class="stats au-counts">
      {items.map(([label, value, title]) => (
        <div class="stat" key={label}>
          <dt title={title}>{label}</dt>
          <dd>{formatNumber(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

function ImportErrors(props: { view: ImportView }) {
  const { view } = props;
  const [all, setAll] = useState(false);
  if (view.errorCount === 0) {
    return view.status === 'running' ? null : <p class="au-muted">No bad row.</p>;
  }
  const shown = all ? view.errors : view.errors.slice(0, 50);
  return (
    <>
      <h3 id="import-errors-title">Rows not imported</h3>
      {view.errorCount > view.errors.length && (
        <p class="hint">
          {formatNumber(view.errorCount)} rows were refused; the first{' '}
          {formatNumber(view.errors.length)} are listed.
        </p>
      )}
      <TableScroll label="Rows not imported">
        <table aria-labelledby="import-errors-title" class="au-errors">
          <thead>
            <tr>
              <th scope="col" class="number">
                Line
              </th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((error) => (
              <tr key={`${error.line}:${error.reason}`}>
                <td class="number">{error.line}</td>
                <td>{error.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      {shown.length < view.errors.length && (
        <Button onClick={() => setAll(true)}>
          Show all {formatNumber(view.errors.length)} listed rows
        </Button>
      )}
    </>
  );
}

const IMPORT_STATUS: Record<ImportView['status'], string> = {
  running: 'Running',
  completed: 'Finished',
  failed: 'Stopped',
};

function ImportsHistory(props: {
  history: Loaded<{ items: ImportView[] }>;
  shownId?: string;
  onShow: (view: ImportView) => void;
}) {
  const { history } = props;
  const items = history.data?.items;
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">Imports</h2>
      <ErrorNotice error={history.error} title="The imports could not be loaded" />
      {history.loading && !history.data && <Loading what="the imports" />}
      {items?.length === 0 && <Empty>No import yet.</Empty>}
      {items && items.length > 0 && (
        <TableScroll label="Imports">
          <table class="au-history" aria-labelledby="history-title">
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">File</th>
                <th scope="col">Status</th>
                <th scope="col" class="number">
                  Rows
                </th>
                <th scope="col" class="number">
                  Added
                </th>
                <th scope="col" class="number">
                  Updated
                </th>
                <th scope="col" class="number">
                  Unchanged
                </th>
                <th scope="col" class="number">
                  Bad rows
                </th>
                <th scope="col">
                  <span class="visually-hidden">Details</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={item.importId}>
                  <td>{formatTime(item.createdAt)}</td>
                  <td class="au-break">{item.filename ?? '(sent as text)'}</td>
                  <td>
                    <span class={`badge au-import--${item.status}`}>
                      {IMPORT_STATUS[item.status]}
                    </span>
                  </td>
                  <td class="number">{formatNumber(item.counts.rows)}</td>
                  <td class="number">{formatNumber(item.counts.inserted)}</td>
                  <td class="number">{formatNumber(item.counts.updated)}</td>
                  <td class="number">{formatNumber(item.counts.unchanged)}</td>
                  <td class="number">{formatNumber(item.counts.invalid)}</td>
                  <td>
                    <Button
                      disabled={props.shownId === item.importId}
                      aria-label={`Details of the import of ${item.filename ?? 'text'} started ${formatTime(item.createdAt)}`}
                      onClick={() => props.onShow(item)}
                    >
                      Details
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
}

// ---------------------------------------------------------------- users

function UsersList(props: { pageId: string; version: number }) {
  const [text, setText] = useState('');
  // What the list shows: everyone ('') or the users the API finds for these words or digits.
  const [searched, setSearched] = useState('');
  const [limit, setLimit] = useState(PAGE_SIZES[0]);
  return (
    <section aria-labelledby="users-title">
      <h2 id="users-title">Users</h2>
      <form
        role="search"
        aria-label="Users"
        class="au-search"
        onSubmit={(event) => {
          event.preventDefault();
          setSearched(text.trim().replace(/\s+/g, ' '));
        }}
      >
        <div class="field au-search__field">
          <label for="user-search">Search by PSID or name</label>
          <input
            id="user-search"
            type="search"
            value={text}
            maxLength={100}
            aria-describedby="user-search-hint"
            onInput={(event) => setText(event.currentTarget.value)}
          />
          <p class="hint" id="user-search-hint">
            The first digits of a PSID (or all of them), or words from a first or last name:
            capitals and accents do not matter.
          </p>
        </div>
        <div class="actions au-search__actions">
          <Button type="submit" variant="primary">
            Search
          </Button>
          {searched && (
            <Button
              onClick={() => {
                setText('');
                setSearched('');
              }}
            >
              Show everyone
            </Button>
          )}
        </div>
      </form>
      <UsersPages
        key={searched}
        pageId={props.pageId}
        q={searched}
        version={props.version}
        limit={limit}
        setLimit={setLimit}
      />
    </section>
  );
}

/** What a search looked for, in words: "named “lopez”" or "whose PSID starts with 6100". */
const searchedFor = (q: string) =>
  /^\d+$/.test(q) ? `whose PSID starts with ${q}` : `named “${q}”`;

/** One page of users at a time, all of them or those the search (`q`) finds; the API pages forward only. */
function UsersPages(props: {
  pageId: string;
  q: string;
  version: number;
  limit: number;
  setLimit: (limit: number) => void;
}) {
  const { q } = props;
  // The cursors of the pages before this one.
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const path = `/pages/${props.pageId}/users${query({ q: q || undefined, limit: props.limit, cursor })}`;
  const users = useApi<UserPage>(path);
  // The answer is kept while the next page loads: only the one for this path is shown.
  const [loadedFor, setLoadedFor] = useState<string>();
  useEffect(() => {
    if (users.data) setLoadedFor(path);
    // Set when an answer arrives, with the path it was asked for.
  }, [users.data]);
  const current = loadedFor === path ? users.data : undefined;
  const { reload } = users;
  const first = useRef(true);
  useEffect(() => {
    // A finished import changes the users: the page shown is read again.
    if (first.current) first.current = false;
    else reload();
  }, [props.version, reload]);
  const pageNumber = cursors.length + 1;
  const found = current?.items.length ?? 0;
  return (
    <>
      <ErrorNotice
        error={users.error}
        title={q ? 'The search did not work' : 'The users could not be loaded'}
      />
      {!current && !users.error && <Loading what={q ? 'and searching the users' : 'the users'} />}
      {current && q && (
        <p class="au-muted" role="status">
          {found === 0
            ? pageNumber === 1
              ? `No user ${searchedFor(q)}.`
              : `No more users ${searchedFor(q)}.`
            : pageNumber === 1 && !current.nextCursor
              ? `${formatNumber(found)} ${found === 1 ? 'user' : 'users'} ${searchedFor(q)}.`
              : `Users ${searchedFor(q)}: page ${pageNumber}${current.nextCursor ? ', more on the next' : ', the last'}.`}
        </p>
      )}
      {current?.items.length === 0 &&
        !q &&
        (pageNumber === 1 ? (
          <Empty>No user yet: import a CSV file, or wait for people to write to the Page.</Empty>
        ) : (
          <Empty>No more users.</Empty>
        ))}
      {current && current.items.length > 0 && (
        <UsersTable pageId={props.pageId} users={current.items} />
      )}
      {!(pageNumber === 1 && current?.items.length === 0) && (
        <nav class="au-paging" aria-label={q ? 'Pages of users found' : 'Pages of users'}>
          <Button
            disabled={cursors.length === 0 || !current}
            onClick={() => setCursors((previous) => previous.slice(0, -1))}
          >
            Previous
          </Button>
          <span aria-live="polite">Page {pageNumber}</span>
          <Button
            disabled={!current?.nextCursor}
            onClick={() => {
              const next = current?.nextCursor;
              if (next) setCursors((previous) => [...previous, next]);
            }}
          >
            Next
          </Button>
          <PageSize limit={props.limit} setLimit={props.setLimit} onChange={() => setCursors([])} />
        </nav>
      )}
    </>
  );
}

function PageSize(props: {
  limit: number;
  setLimit: (limit: number) => void;
  onChange: () => void;
}) {
  return (
    <div class="au-paging__size">
      <SelectField
        label="Users per page"
        value={String(props.limit)}
        options={PAGE_SIZES.map((size) => ({ value: String(size), label: String(size) }))}
        onChange={(value) => {
          props.onChange();
          props.setLimit(Number(value));
        }}
      />
    </div>
  );
}

function UsersTable(props: { pageId: string; users: UserView[] }) {
  return (
    <TableScroll label="Users">
      <table class="au-users" aria-label="Users">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">PSID</th>
            <th scope="col">Last message from them</th>
            <th scope="col">Locale</th>
            <th scope="col">Timezone</th>
            <th scope="col">Added by</th>
            <th scope="col">Campaigns</th>
          </tr>
        </thead>
        <tbody>
          {props.users.map((user) => (
            <tr key={user.psid}>
              <td>
                <a href={href(`/pages/${props.pageId}/users/${user.psid}`)}>
                  {fullName(user) || 'No name'}
                </a>
              </td>
              <td>
                <code>{user.psid}</code>
              </td>
              <td>{user.lastInboundAt ? formatTime(user.lastInboundAt) : 'Never'}</td>
              <td>{user.locale ?? '—'}</td>
              <td>{user.timezone ?? '—'}</td>
              <td>{SOURCES[user.source] ?? user.source}</td>
              <td>{user.suppressed ? 'Opted out' : 'Receives them'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

// ---------------------------------------------------------------- one user

export function UserScreen(props: { pageId: string; psid: string }) {
  const { pageId, psid } = props;
  const user = useApi<UserView>(`/pages/${pageId}/users/${psid}`);
  const back = (
    <a class="button button--secondary au-link-button" href={href(`/pages/${pageId}/audience`)}>
      Back to the audience
    </a>
  );
  if (user.error?.status === 404)
    return (
      <div class="au-screen">
        <ScreenHeader title="User not found">{back}</ScreenHeader>
        <Empty>No user of this Page has the PSID {psid}.</Empty>
      </div>
    );
  const title = user.data ? fullName(user.data) || `User ${psid}` : `User ${psid}`;
  return (
    <div class="au-screen">
      <ScreenHeader title={title}>{back}</ScreenHeader>
      <ErrorNotice error={user.error} title="The user could not be loaded" />
      {user.loading && !user.data && <Loading what="the user" />}
      {user.data && (
        <div class="au-user">
          <div class="au-user__column">
            <Profile user={user.data} />
            <Attributes attributes={user.data.attributes} />
          </div>
          <div class="au-user__column">
            <Conversation pageId={pageId} user={user.data} />
            <Tokens pageId={pageId} psid={psid} />
          </div>
        </div>
      )}
    </div>
  );
}

function Facts(props: { items: [string, preact.ComponentChildren][] }) {
  return (
    <dl class="facts au-facts">
      {props.items.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function Profile(props: { user: UserView }) {
  const { user } = props;
  return (
    <section aria-labelledby="profile-title">
      <h2 id="profile-title">Profile</h2>
      <Facts
        items={[
          ['PSID', <code key="psid">{user.psid}</code>],
          ['First name', user.firstName ?? '—'],
          ['Last name', user.lastName ?? '—'],
          ['Locale', user.locale ?? '—'],
          ['Timezone', user.timezone ?? '—'],
          ['Campaigns', user.suppressed ? 'Opted out: receives no campaign' : 'Receives them'],
          ['Added by', SOURCES[user.source] ?? user.source],
          ['Added', formatTime(user.createdAt)],
          ['Last changed', formatTime(user.updatedAt)],
        ]}
      />
    </section>
  );
}

/** JSON turns a date attribute into this exact form; a text attribute is almost never written so. */
const SERIALISED_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const calendarDate = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });
const preciseNumber = new Intl.NumberFormat(undefined, { maximumFractionDigits: 20 });

function typed(value: string | number | boolean): { type: string; shown: string } {
  if (typeof value === 'number') return { type: 'number', shown: preciseNumber.format(value) };
  if (typeof value === 'boolean') return { type: 'yes/no', shown: value ? 'yes' : 'no' };
  if (SERIALISED_DATE.test(value))
    return {
      type: 'date',
      // A calendar date (2025-03-14 in the CSV) is midnight UTC: shown as that day, not a time.
      shown: value.endsWith('T00:00:00.000Z')
        ? calendarDate.format(new Date(value))
        : formatTime(value),
    };
  return { type: 'text', shown: value };
}

function Attributes(props: { attributes: UserView['attributes'] }) {
  const entries = Object.entries(props.attributes).sort(([a], [b]) => a.localeCompare(b));
  return (
    <section aria-labelledby="attributes-title">
      <h2 id="attributes-title">Attributes</h2>
      {entries.length === 0 ? (
        <Empty>No attribute.</Empty>
      ) : (
        <TableScroll label="Attributes">
          <table aria-labelledby="attributes-title">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">Value</th>
              </tr>
            </thead>
            <tbody>
              {entries.map(([name, value]) => {
                const { type, shown } = typed(value);
                return (
                  <tr key={name}>
                    <td>
                      <code>{name}</code>
                    </td>
                    <td>{type}</td>
                    <td class="au-break">{shown}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
}

interface ThreadOwner {
  appId: string | null;
  ownedByThisApp: boolean;
}

function ownerName(owner: ThreadOwner): string {
  const { appId } = owner;
  if (owner.ownedByThisApp) return 'This app (the campaign connector)';
  if (appId === null) return 'No app: the conversation is idle';
  if (appId === PAGE_INBOX_APP_ID) return 'The Page Inbox: a person at the Page answers';
  return `The app ${appId}`;
}

function Conversation(props: { pageId: string; user: UserView }) {
  const { user } = props;
  const owner = useApi<ThreadOwner>(`/pages/${props.pageId}/threads/${user.psid}/owner`);
  const last = user.lastInboundAt ? new Date(user.lastInboundAt) : undefined;
  const closes = last ? new Date(last.getTime() + WINDOW_MS) : undefined;
  const open = closes ? closes.getTime() > Date.now() : false;
  return (
    <section aria-labelledby="conversation-title">
      <h2 id="conversation-title">Conversation</h2>
      <Facts
        items={[
          ['Last message from them', last ? formatTime(last) : 'Never, as far as is known'],
          [
            '24-hour window',
            closes
              ? open
                ? `Open until ${formatTime(closes)}`
                : `Closed since ${formatTime(closes)}`
              : 'Closed',
          ],
          [
            'Thread owner',
            <span key="owner" class="au-owner">
              {owner.loading && !owner.data && !owner.error && 'Asking Facebook…'}
              {owner.data && ownerName(owner.data)}
              {owner.error && (
                <span class="au-owner__error">
                  {owner.error.status === 502
                    ? 'Facebook could not be reached'
                    : `Facebook did not say: ${owner.error.message}`}
                </span>
              )}
            </span>,
          ],
        ]}
      />
      <Button onClick={owner.reload} busy={owner.loading} busyLabel="Asking Facebook…">
        Ask Facebook again
      </Button>
    </section>
  );
}

const TOKEN_KINDS: Record<TokenView['kind'], string> = {
  otn: 'One-time notification',
  notification_messages: 'Marketing messages',
};

function Tokens(props: { pageId: string; psid: string }) {
  const tokens = useApi<{ items: TokenView[] }>(
    `/pages/${props.pageId}/users/${props.psid}/tokens`,
  );
  const items = tokens.data?.items;
  return (
    <section aria-labelledby="tokens-title">
      <h2 id="tokens-title">Notification tokens</h2>
      <p class="hint au-intro">
        What this person agreed to be sent outside the 24-hour window. The tokens themselves are
        never shown.
      </p>
      <ErrorNotice error={tokens.error} title="The tokens could not be loaded" />
      {tokens.loading && !tokens.data && <Loading what="the tokens" />}
      {items?.length === 0 && <Empty>No notification token.</Empty>}
      {items && items.length > 0 && (
        <TableScroll label="Notification tokens">
          <table aria-labelledby="tokens-title" class="au-tokens">
            <thead>
              <tr>
                <th scope="col">Kind</th>
                <th scope="col">Topic</th>
                <th scope="col">Status</th>
                <th scope="col">Agreed</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {items.map((token) => (
                <tr key={token.id}>
                  <td>{TOKEN_KINDS[token.kind] ?? token.kind}</td>
                  <td>
                    {token.title ? `${token.title} ` : ''}
                    <code>{token.topic || '—'}</code>
                  </td>
                  <td>
                    <span class={`badge au-token--${token.status.replace(/[^a-z_]/g, '')}`}>
                      {token.status}
                    </span>
                  </td>
                  <td>{formatTime(token.createdAt)}</td>
                  <td>{formatTime(token.expiresAt)}</td>
                  <td>{token.lastUsedAt ? formatTime(token.lastUsedAt) : 'Never'}</td>
                  <td>
                    {[
                      token.frequency && `${token.frequency.toLowerCase()}`,
                      token.timezone,
                      token.nextAllowedAt && `next send from ${formatTime(token.nextAllowedAt)}`,
                    ]
                      .filter(Boolean)
                      .join(' · ') || '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
}
