/**
 * Campaigns (issue #11 screen 4): the Page's campaigns, and the builder where a
 * campaign is composed, previewed for real people, test-sent and published.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiFailure } from '../api';
import { href, navigate } from '../router';
import {
  Button,
  Empty,
  ErrorNotice,
  Field,
  Loading,
  Notice,
  ScreenHeader,
  StatusBadge,
  TextField,
  TableScroll,
} from '../ui/components';
import { useAction, useApi } from '../ui/hooks';
import { browserTimeZone, formatTime } from '../ui/time';
import {
  deliveryFromApi,
  DeliveryEditor,
  deliveryToApi,
  newDeliveryDraft,
  type DeliveryDraft,
} from './campaign-delivery';
import { LifecyclePanel } from './campaign-lifecycle';
import {
  compileDraft,
  messageFromApi,
  messageToApi,
  newMessageDraft,
  type MessageDraft,
} from './campaign-message';
import { MessageEditor } from './campaign-message-editor';
import { PersonaliseProvider } from './campaign-personalise';
import { DraftPreview, LIVE_FIELD, PreviewPanel, useLivePreview } from './campaign-preview';
import {
  describeSchedule,
  newScheduleDraft,
  scheduleFromApi,
  ScheduleEditor,
  scheduleToApi,
  type ScheduleDraft,
} from './campaign-schedule';
import { TestSendPanel } from './campaign-test-send';
import {
  EDITABLE,
  type AttributeSuggestion,
  type CampaignInput,
  type CampaignView,
  type SegmentView,
  type TemplateView,
  type UnsavedParts,
  type UserView,
} from './campaign-types';
import './campaigns.css';

/* ------------------------------------------------------------------ list */

export function CampaignsScreen(props: { pageId: string }) {
  const { pageId } = props;
  const campaigns = useApi<{ items: CampaignView[] }>(`/pages/${pageId}/campaigns`);
  const segments = useApi<{ items: SegmentView[] }>(`/pages/${pageId}/segments`);
  const segmentName = (id: string) => segments.data?.items.find((s) => s.id === id)?.name;
  const items = campaigns.data?.items;
  return (
    <>
      <ScreenHeader title="Campaigns">
        <a class="button button--primary" href={href(`/pages/${pageId}/campaigns/new`)}>
          New campaign
        </a>
      </ScreenHeader>
      <ErrorNotice error={campaigns.error} title="Campaigns could not be loaded" />
      {!items && campaigns.loading && <Loading what="campaigns" />}
      {items && items.length === 0 && (
        <Empty>
          <p>No campaign on this Page yet.</p>
          <p>
            <a href={href(`/pages/${pageId}/campaigns/new`)}>Create the first campaign</a>
            {segments.data?.items.length === 0 && (
              <>
                {' '}
                — it needs a <a href={href(`/pages/${pageId}/segments/new`)}>segment</a> first
              </>
            )}
            .
          </p>
        </Empty>
      )}
      {items && items.length > 0 && (
        <section aria-labelledby="campaigns-title">
          <h2 id="campaigns-title" class="visually-hidden">
            Campaigns of the Page
          </h2>
          <TableScroll label="Campaigns">
            <table class="campaign-table">
              <thead>
                <tr>
                  <th scope="col">Campaign</th>
                  <th scope="col">Status</th>
                  <th scope="col">Schedule</th>
                  <th scope="col">Next run</th>
                  <th scope="col">Segment</th>
                  <th scope="col">Run</th>
                </tr>
              </thead>
              <tbody>
                {items.map((campaign) => (
                  <tr key={campaign.id}>
                    <td>
                      <a href={href(`/pages/${pageId}/campaigns/${campaign.id}`)}>
                        {campaign.name}
                      </a>
                      <div class="hint">
                        Version {campaign.messageVersion} · edited {formatTime(campaign.updatedAt)}
                      </div>
                    </td>
                    <td>
                      <StatusBadge status={campaign.status} />
                    </td>
                    <td>{describeSchedule(campaign.schedule)}</td>
                    <td>
                      <NextRun campaign={campaign} />
                    </td>
                    <td>{segmentName(campaign.segmentId) ?? <span class="hint">—</span>}</td>
                    <td>
                      <RunLink campaign={campaign} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        </section>
      )}
    </>
  );
}

function NextRun(props: { campaign: CampaignView }) {
  const { campaign } = props;
  if (!campaign.nextRunAt)
    return (
      <span class="hint">
        {campaign.status === 'draft'
          ? 'Not published'
          : campaign.status === 'running'
            ? 'Sending now'
            : '—'}
      </span>
    );
  const zone = campaign.schedule.type === 'cron' ? campaign.schedule.timezone : browserTimeZone();
  return (
    <>
      {formatTime(campaign.nextRunAt, zone)}
      {zone !== browserTimeZone() && (
        <div class="hint">your time: {formatTime(campaign.nextRunAt)}</div>
      )}
    </>
  );
}

/** A link to the run dashboard once the campaign has a run (asked of the API only when its status cannot tell). */
function RunLink(props: { campaign: CampaignView }) {
  const { campaign } = props;
  const known =
    Boolean(campaign.activeRunId) ||
    campaign.status === 'running' ||
    campaign.status === 'paused' ||
    campaign.status === 'completed';
  const ask = !known && campaign.status !== 'draft';
  const runs = useApi<{ items: unknown[] }>(ask ? `/campaigns/${campaign.id}/runs` : null);
  if (known || (runs.data && runs.data.items.length > 0))
    return (
      <a
        href={href(`/pages/${campaign.pageId}/campaigns/${campaign.id}/run`)}
        aria-label={`Run dashboard of ${campaign.name}`}
      >
        Run dashboard
      </a>
    );
  return <span class="hint">{campaign.status === 'draft' ? '—' : 'No run yet'}</span>;
}

/* --------------------------------------------------------------- builder */

interface Form {
  name: string;
  segmentId: string;
  message: MessageDraft;
  delivery: DeliveryDraft;
  schedule: ScheduleDraft;
  ratePerSecond: string;
  maxErrors: string;
}

function newForm(): Form {
  return {
    name: '',
    segmentId: '',
    message: newMessageDraft(),
    delivery: newDeliveryDraft(),
    schedule: newScheduleDraft(),
    ratePerSecond: '40',
    maxErrors: '1000',
  };
}

function formOf(campaign: CampaignView): Form {
  return {
    name: campaign.name,
    segmentId: campaign.segmentId,
    message: messageFromApi(campaign.message),
    delivery: deliveryFromApi(campaign.delivery),
    schedule: scheduleFromApi(campaign.schedule),
    ratePerSecond: String(campaign.ratePerSecond),
    maxErrors: String(campaign.maxErrors),
  };
}

/** A number as typed, or the text itself (the API names the field when it is no integer). */
const numberOf = (text: string): number => (/^\s*\d+\s*$/.test(text) ? Number(text) : NaN);

function payloadOf(form: Form): CampaignInput {
  return {
    name: form.name,
    segmentId: form.segmentId,
    message: messageToApi(form.message),
    delivery: deliveryToApi(form.delivery),
    schedule: scheduleToApi(form.schedule),
    ratePerSecond: numberOf(form.ratePerSecond),
    maxErrors: numberOf(form.maxErrors),
  };
}

/** The same instant written with another offset is no change. */
function comparable(key: keyof CampaignInput, value: unknown): string {
  if (key === 'schedule') {
    const schedule = value as { type: string; at?: string };
    const at = schedule.at ? new Date(schedule.at) : undefined;
    if (schedule.type === 'at' && at && !Number.isNaN(at.getTime()))
      return JSON.stringify({ ...schedule, at: at.toISOString() });
  }
  return JSON.stringify(value);
}

function changedParts(now: CampaignInput, before: CampaignInput): Partial<CampaignInput> {
  const changes: Record<string, unknown> = {};
  for (const key of Object.keys(now) as (keyof CampaignInput)[])
    if (comparable(key, now[key]) !== comparable(key, before[key])) changes[key] = now[key];
  return changes as Partial<CampaignInput>;
}

/** Campaigns just created, so the builder of the new id opens without a loading flash. */
const justCreated = new Map<string, CampaignView>();

export function CampaignBuilderScreen(props: { pageId: string; campaignId: string }) {
  return <Builder key={props.campaignId} pageId={props.pageId} campaignId={props.campaignId} />;
}

function Builder(props: { pageId: string; campaignId: string }) {
  const isNew = props.campaignId === 'new';
  const campaign = useApi<CampaignView>(isNew ? null : `/campaigns/${props.campaignId}`);
  // Taken once: a later visit reads the campaign as it is then.
  const [created] = useState(() => {
    const view = justCreated.get(props.campaignId);
    justCreated.delete(props.campaignId);
    return view;
  });
  const loaded = campaign.data ?? created;
  if (isNew) return <BuilderForm pageId={props.pageId} onReload={() => undefined} />;
  if (!loaded)
    return (
      <>
        <ScreenHeader title="Campaign" />
        {campaign.error ? (
          <ErrorNotice
            error={campaign.error}
            title={
              campaign.error.status === 404
                ? 'No such campaign'
                : 'The campaign could not be loaded'
            }
          />
        ) : (
          <Loading what="the campaign" />
        )}
        <p>
          <a href={href(`/pages/${props.pageId}/campaigns`)}>Back to the campaigns</a>
        </p>
      </>
    );
  return <BuilderForm pageId={props.pageId} saved={loaded} onReload={campaign.reload} />;
}

const NO_ATTRIBUTES: AttributeSuggestion[] = [];

/**
 * The reasons shown beside the fields: the save's, except that for the message,
 * delivery and segment the newer of the save's and the live preview's check
 * speaks (the preview checks the editor's values as a save would, while typing).
 */
function useFieldReasons(
  saveError: ApiFailure | undefined,
  live: { error?: ApiFailure; answeredAt: number },
): ApiFailure | undefined {
  const saved = useRef<{ error?: ApiFailure; at: number }>({ at: 0 });
  if (saved.current.error !== saveError)
    saved.current = { error: saveError, at: performance.now() };
  if (live.answeredAt === 0 || live.answeredAt < saved.current.at) return saveError;
  const liveError = live.error?.status === 400 ? live.error : undefined;
  const details = [
    ...(saveError?.details.filter((d) => !LIVE_FIELD.test(d.field)) ?? []),
    ...(liveError?.details.filter((d) => LIVE_FIELD.test(d.field)) ?? []),
  ];
  if (!saveError && details.length === 0) return undefined;
  return new ApiFailure(
    saveError?.status ?? 400,
    saveError?.message ?? liveError?.message ?? '',
    details,
    saveError?.code,
  );
}

/** The names of the people shown (samples, testers), each asked of the API once. */
function usePeopleNames(pageId: string, psids: string[]): Map<string, string> {
  const [names, setNames] = useState<Map<string, string>>(() => new Map());
  const asked = useRef(new Set<string>());
  const key = [...new Set(psids)].sort().join(',');
  useEffect(() => {
    const wanted = key ? key.split(',').filter((psid) => !asked.current.has(psid)) : [];
    for (const psid of wanted) {
      asked.current.add(psid);
      api<UserView>('GET', `/pages/${pageId}/users/${psid}`).then(
        (user) => {
          const name = [user.firstName, user.lastName].filter(Boolean).join(' ');
          if (name) setNames((previous) => new Map(previous).set(psid, name));
        },
        // Someone not (or no longer) in the audience is shown by PSID.
        () => undefined,
      );
    }
  }, [pageId, key]);
  return names;
}

function BuilderForm(props: { pageId: string; saved?: CampaignView; onReload: () => void }) {
  const { pageId } = props;
  const [current, setCurrent] = useState<CampaignView | undefined>(props.saved);
  // A reload (after publish, pause…) brings a newer view of the same campaign.
  useEffect(() => {
    if (props.saved) setCurrent(props.saved);
  }, [props.saved]);
  const [form, setForm] = useState<Form>(() => (props.saved ? formOf(props.saved) : newForm()));
  const [savedAt, setSavedAt] = useState<Date | undefined>();
  const [testedVersion, setTestedVersion] = useState<number | undefined>();
  const segments = useApi<{ items: SegmentView[] }>(`/pages/${pageId}/segments`);
  const templates = useApi<{ items: TemplateView[] }>(`/pages/${pageId}/templates`);
  const testers = useApi<{ psids: string[] }>(`/pages/${pageId}/testers`);
  const attributesAnswer = useApi<{ sampled: number; items: AttributeSuggestion[] }>(
    `/pages/${pageId}/attributes`,
  );
  const attributes = attributesAnswer.data?.items ?? NO_ATTRIBUTES;

  const segmentItems = segments.data?.items;
  // A new campaign takes the Page's first segment.
  useEffect(() => {
    if (!current && segmentItems && segmentItems.length > 0)
      setForm((f) => (f.segmentId ? f : { ...f, segmentId: segmentItems[0].id }));
  }, [current, segmentItems]);

  const payload = payloadOf(form);
  const baseline = useMemo(() => (current ? payloadOf(formOf(current)) : undefined), [current]);
  const changes = baseline ? changedParts(payload, baseline) : payload;
  const dirty = Object.keys(changes).length > 0;
  const editable = !current || EDITABLE.includes(current.status);

  // The per-person preview follows the editor: every unsaved part it checks (not the name).
  const unsaved: UnsavedParts = current
    ? {
        ...(changes.message ? { message: changes.message } : {}),
        ...(changes.delivery ? { delivery: changes.delivery } : {}),
        ...(changes.segmentId !== undefined ? { segmentId: changes.segmentId } : {}),
        ...(changes.schedule ? { schedule: changes.schedule } : {}),
        ...(changes.ratePerSecond !== undefined ? { ratePerSecond: changes.ratePerSecond } : {}),
      }
    : {};
  const live = useLivePreview(
    current?.id ?? null,
    current ? `${current.messageVersion} ${current.updatedAt}` : '',
    unsaved,
  );
  const names = usePeopleNames(pageId, [
    ...(live.data?.samples.map((sample) => sample.psid) ?? []),
    ...(testers.data?.psids ?? []),
  ]);

  const save = useAction(async () => {
    if (!current) {
      const created = await api<CampaignView>('POST', `/pages/${pageId}/campaigns`, { ...payload });
      justCreated.set(created.id, created);
      navigate(`/pages/${pageId}/campaigns/${created.id}`);
      return;
    }
    if (!dirty) return;
    const updated = await api<CampaignView>('PATCH', `/campaigns/${current.id}`, { ...changes });
    setCurrent(updated);
    setSavedAt(new Date());
  });
  const fieldError = useFieldReasons(save.error, live);

  const set = (patch: Partial<Form>) => {
    setSavedAt(undefined);
    setForm({ ...form, ...patch });
  };
  const utility = form.delivery.policy === 'utility';
  // The reasons shown beside a control; the save bar lists the others (a hidden message's too).
  const shown = (save.error?.details ?? [])
    .map((d) => d.field)
    .filter(
      (f) =>
        /^(name|segmentId|message|delivery|schedule|ratePerSecond|maxErrors)([.[]|$)/.test(f) &&
        !(utility && /^message([.[]|$)/.test(f)),
    );
  const templateItems = templates.data?.items;
  const draftMessage = utility
    ? {
        attachment: {
          type: 'template',
          payload: {
            template_type: 'utility_messages',
            name: form.delivery.template,
            language: { code: form.delivery.language },
            components: [
              {
                type: 'body',
                parameters: form.delivery.parameters.map((text) => ({ type: 'text', text })),
              },
            ],
          },
        },
      }
    : compileDraft(form.message);
  const title = current ? current.name : 'New campaign';

  return (
    <PersonaliseProvider>
      <ScreenHeader title={title}>
        {current && <StatusBadge status={current.status} />}
        {current && current.status !== 'draft' && (
          <a class="button" href={href(`/pages/${pageId}/campaigns/${current.id}/run`)}>
            Run dashboard
          </a>
        )}
        <a href={href(`/pages/${pageId}/campaigns`)}>All campaigns</a>
      </ScreenHeader>
      {current && !editable && (
        <Notice kind="info">
          A {current.status} campaign cannot be edited.
          {(current.status === 'scheduled' || current.status === 'running') &&
            ' Pause it to change it, then resume.'}
        </Notice>
      )}
      <div class="split cb-builder">
        <form
          class="cb-builder__form"
          noValidate
          aria-label="Campaign"
          onSubmit={(event) => {
            event.preventDefault();
            void save.run();
          }}
        >
          <fieldset class="cb-plain" disabled={!editable}>
            <section aria-labelledby="basics-title">
              <h2 id="basics-title">Campaign</h2>
              <TextField
                label="Name"
                value={form.name}
                onInput={(name) => set({ name })}
                field="name"
                error={fieldError}
                limit={200}
                placeholder="Spring restock"
              />
              <Field
                label="Segment"
                field="segmentId"
                error={fieldError}
                hint={
                  <>
                    Who it is for.{' '}
                    <a href={href(`/pages/${pageId}/segments/new`)}>Create a segment</a>
                  </>
                }
              >
                {({ id, describedBy, invalid }) => (
                  <select
                    id={id}
                    name="segmentId"
                    value={form.segmentId}
                    aria-describedby={describedBy}
                    aria-invalid={invalid}
                    onChange={(event) => set({ segmentId: event.currentTarget.value })}
                  >
                    {!segmentItems && <option value={form.segmentId}>Loading segments…</option>}
                    {segmentItems?.length === 0 && <option value="">No segment yet</option>}
                    {segmentItems?.map((segment) => (
                      <option key={segment.id} value={segment.id}>
                        {segment.name}
                      </option>
                    ))}
                    {segmentItems &&
                      form.segmentId &&
                      !segmentItems.some((s) => s.id === form.segmentId) && (
                        <option value={form.segmentId}>Segment {form.segmentId} (deleted)</option>
                      )}
                  </select>
                )}
              </Field>
              <ErrorNotice error={segments.error} title="Segments could not be loaded" />
            </section>

            <section aria-labelledby="message-title">
              <h2 id="message-title">Message</h2>
              {utility ? (
                <p class="cb-utility-note">
                  A utility campaign sends the text of its template, chosen under Delivery below, so
                  there is nothing to write here. A message you wrote before is kept and comes back
                  if you choose another way of delivering.
                </p>
              ) : (
                <MessageEditor
                  draft={form.message}
                  onChange={(message) => set({ message })}
                  error={fieldError}
                  attributes={attributes}
                />
              )}
              <div class="cb-phone-only">
                <h3>{utility ? 'Preview of the template' : 'Preview as you write'}</h3>
                <DraftPreview draft={draftMessage} templates={templateItems} />
              </div>
            </section>

            <section aria-labelledby="delivery-title">
              <h2 id="delivery-title">Delivery</h2>
              <DeliveryEditor
                pageId={pageId}
                draft={form.delivery}
                onChange={(delivery) => set({ delivery })}
                templates={templateItems}
                templatesError={templates.error}
                attributes={attributes}
                error={fieldError}
              />
            </section>

            <section aria-labelledby="schedule-title">
              <h2 id="schedule-title">Schedule</h2>
              <ScheduleEditor
                draft={form.schedule}
                onChange={(schedule) => set({ schedule })}
                error={fieldError}
                allowNow={!current || current.status === 'draft'}
              />
            </section>

            <section aria-labelledby="speed-title">
              <h2 id="speed-title">Sending speed</h2>
              <div class="cb-columns">
                <TextField
                  label="Messages per second"
                  type="number"
                  value={form.ratePerSecond}
                  onInput={(ratePerSecond) => set({ ratePerSecond })}
                  field="ratePerSecond"
                  error={fieldError}
                  hint="1 to 300; audio and video at most 10."
                />
                <TextField
                  label="Pause after this many errors"
                  type="number"
                  value={form.maxErrors}
                  onInput={(maxErrors) => set({ maxErrors })}
                  field="maxErrors"
                  error={fieldError}
                  hint="0: never pause for errors."
                />
              </div>
            </section>
          </fieldset>

          {editable && (
            <div class="cb-savebar">
              <ErrorNotice error={save.error} shownFields={shown} title="Not saved" />
              <div class="actions">
                <Button
                  type="submit"
                  variant="primary"
                  busy={save.busy}
                  busyLabel="Saving…"
                  disabled={Boolean(current) && !dirty}
                >
                  {current ? 'Save changes' : 'Create draft'}
                </Button>
                <span class="cb-savebar__state" role="status">
                  {save.error
                    ? 'Not saved: see the reasons beside the fields.'
                    : !current
                      ? 'Not created yet.'
                      : dirty
                        ? 'Unsaved changes.'
                        : savedAt
                          ? `Saved (version ${current.messageVersion}).`
                          : 'No unsaved changes.'}
                </span>
              </div>
            </div>
          )}
        </form>

        <aside class="cb-builder__side" aria-label="Preview, test and publish">
          <PreviewPanel
            preview={current ? live : null}
            draft={draftMessage}
            templates={templateItems}
            names={names}
          />
          {current ? (
            <>
              <TestSendPanel
                campaign={current}
                testers={testers.data?.psids}
                names={names}
                dirty={dirty}
                onArrived={setTestedVersion}
              />
              <LifecyclePanel
                campaign={current}
                dirty={dirty}
                testedVersion={testedVersion}
                onChanged={props.onReload}
              />
            </>
          ) : (
            <section>
              <h2>Test and publish</h2>
              <p class="hint">Create the draft first; then test-send it and publish it here.</p>
            </section>
          )}
        </aside>
      </div>
    </PersonaliseProvider>
  );
}
