/**
 * The builder's preview: the message as written (drawn while typing, Liquid
 * marked), then as the API renders it for real people of the segment
 * (POST /campaigns/:id/preview), one phone per sample with a render failure
 * shown for its person, and who in the audience could receive it now.
 *
 * The per-person preview follows the editor: the unsaved message, delivery and
 * segment are sent with the request once they stop changing for half a second
 * (an out-of-date request is cancelled); the API checks them as a save would
 * and stores nothing, so its reasons are shown beside the fields while typing.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, type ApiFailure } from '../api';
import { Button, ErrorNotice, TextField } from '../ui/components';
import { asFailure, useDebounced } from '../ui/hooks';
import { formatNumber } from '../ui/time';
import { MessengerPreview, type PreviewTemplate } from '../ui/messenger-preview';
import {
  ELIGIBILITY_LABELS,
  type Eligibility,
  type PreviewAnswer,
  type UnsavedParts,
} from './campaign-types';

const SHOWN_AT_FIRST = 3;
/** How long the editor must stay still before its unsaved parts are previewed. */
export const PREVIEW_DEBOUNCE_MS = 500;

/** The fields the preview checks with the values in the editor (its other reasons are about saved values). */
export const LIVE_FIELD = /^(message|delivery|segmentId|schedule|ratePerSecond)([.[]|$)/;

export interface LivePreview {
  /** The newest rendering that succeeded (kept while a newer one is made or refused). */
  data?: PreviewAnswer;
  /** The newest request's failure; a 400 names the fields (SPEC §9 details). */
  error?: ApiFailure;
  /** A request is in flight. */
  loading: boolean;
  /** The editor changed and the preview waits for it to stay still. */
  waiting: boolean;
  /** performance.now() of the newest answer (0: none yet), to tell whose reasons are newer. */
  answeredAt: number;
  /** The PSIDs asked for (empty: a sample of the segment). */
  psids: string[];
  choosePsids: (psids: string[]) => void;
}

/**
 * Renders the campaign `campaignId` (nothing while it is null, a campaign not
 * created yet) with the editor's `unsaved` parts, after they stop changing, and
 * again at once when `revision` (the saved campaign's) changes.
 */
export function useLivePreview(
  campaignId: string | null,
  revision: string,
  unsaved: UnsavedParts,
): LivePreview {
  const key = JSON.stringify(unsaved);
  const settled = useDebounced(key, PREVIEW_DEBOUNCE_MS);
  const [psids, setPsids] = useState<string[]>([]);
  const [asked, setAsked] = useState(0);
  const [state, setState] = useState<{
    data?: PreviewAnswer;
    error?: ApiFailure;
    loading: boolean;
    answeredAt: number;
  }>({ loading: campaignId !== null, answeredAt: 0 });
  const wanted = psids.join(',');
  useEffect(() => {
    if (!campaignId) return;
    const controller = new AbortController();
    setState((previous) => ({ ...previous, loading: true }));
    const body = {
      ...(JSON.parse(settled) as UnsavedParts),
      ...(wanted ? { psids: wanted.split(',') } : {}),
    };
    api<PreviewAnswer>('POST', `/campaigns/${campaignId}/preview`, body, {
      signal: controller.signal,
    }).then(
      (data) => {
        if (controller.signal.aborted) return;
        setState({ data, loading: false, answeredAt: performance.now() });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setState((previous) => ({
          data: previous.data,
          error: asFailure(error),
          loading: false,
          answeredAt: performance.now(),
        }));
      },
    );
    // A newer request (the editor changed again, other PSIDs) makes this one out of date.
    return () => controller.abort();
  }, [campaignId, revision, settled, wanted, asked]);
  return {
    ...state,
    waiting: campaignId !== null && key !== settled,
    psids,
    choosePsids: (next) => {
      setPsids(next);
      setAsked((n) => n + 1);
    },
  };
}

export function PreviewPanel(props: {
  /** null: the campaign is not created yet, so only the drawing as written is shown. */
  preview: LivePreview | null;
  draft: Record<string, unknown>;
  templates?: PreviewTemplate[];
  names: Map<string, string>;
}) {
  const { preview } = props;
  return (
    <section aria-labelledby="preview-title" class="cb-preview">
      <h2 id="preview-title">Preview</h2>
      <div class="cb-desktop-only">
        <h3>As you write</h3>
        <DraftPreview draft={props.draft} templates={props.templates} />
      </div>

      <h3>For people in the segment</h3>
      {preview ? (
        <PeoplePreview preview={preview} templates={props.templates} names={props.names} />
      ) : (
        <p class="hint">
          Create the draft to see the message as real people of the segment will get it. From then
          on this preview follows your changes as you type, before you save them.
        </p>
      )}
    </section>
  );
}

function PeoplePreview(props: {
  preview: LivePreview;
  templates?: PreviewTemplate[];
  names: Map<string, string>;
}) {
  const { preview } = props;
  const [psidsText, setPsidsText] = useState('');
  const [showAll, setShowAll] = useState(false);
  const samples = preview.data?.samples ?? [];
  const shown = showAll ? samples : samples.slice(0, SHOWN_AT_FIRST);
  const label = (psid: string) => props.names.get(psid) ?? `PSID ${psid}`;
  const refused = preview.error?.status === 400;
  const liveReasons = refused
    ? (preview.error?.details ?? []).filter((detail) => LIVE_FIELD.test(detail.field))
    : [];
  const busy = preview.loading || preview.waiting;
  const stale = Boolean(preview.error) || busy;
  return (
    <>
      <p class="hint cb-preview__state" role="status" aria-live="polite">
        {busy
          ? 'Updating the preview…'
          : preview.error
            ? preview.data
              ? 'Not updated: below is the last version that could be previewed.'
              : 'Not previewed.'
            : preview.data?.unsaved
              ? 'Shows your changes (not saved yet).'
              : preview.data
                ? `Shows the saved version ${preview.data.messageVersion}.`
                : ''}
      </p>
      {refused && liveReasons.length > 0 && (
        <div class="notice notice--warning" role="alert">
          Cannot be previewed as it is: see the reasons beside the fields.
        </div>
      )}
      <ErrorNotice
        error={
          refused && liveReasons.length === preview.error?.details.length
            ? undefined
            : preview.error
        }
        shownFields={['psids', 'message', 'delivery', 'segmentId']}
        title="Not previewed"
      />
      {!preview.data && preview.loading && (
        <p class="loading">Rendering the message for people of the segment…</p>
      )}
      <div class={stale ? 'cb-preview__people cb-preview__people--stale' : 'cb-preview__people'}>
        {preview.data && <EligibilityView eligibility={preview.data.eligibility} />}
        {preview.data && samples.length === 0 && (
          <p class="empty">
            Nobody to show: the segment has no users
            {preview.psids.length > 0 ? ' with these PSIDs' : ''}.
          </p>
        )}
        <div class="cb-samples">
          {shown.map((sample) => (
            <article class="cb-sample" key={sample.psid} aria-label={label(sample.psid)}>
              <h4 class="cb-sample__who">
                {props.names.get(sample.psid) ?? 'PSID'} <span class="hint">{sample.psid}</span>
              </h4>
              {sample.ok ? (
                <>
                  <MessengerPreview
                    message={sample.request.message}
                    label={`Preview for ${label(sample.psid)}`}
                    templates={props.templates}
                  />
                  <details class="cb-sample__request">
                    <summary>Request sent to Facebook</summary>
                    <pre>{JSON.stringify(sample.request, null, 2)}</pre>
                  </details>
                </>
              ) : (
                <div class="notice notice--error">
                  <strong>Cannot be written for this person</strong> (<code>{sample.reason}</code>
                  ): {sample.detail}
                </div>
              )}
            </article>
          ))}
        </div>
        {samples.length > SHOWN_AT_FIRST && (
          <Button onClick={() => setShowAll(!showAll)} aria-expanded={showAll}>
            {showAll ? `Show ${SHOWN_AT_FIRST} people` : `Show all ${samples.length} people`}
          </Button>
        )}
      </div>
      <form
        class="cb-preview__who"
        onSubmit={(event) => {
          event.preventDefault();
          preview.choosePsids(
            psidsText
              .split(/[\s,]+/)
              .map((p) => p.trim())
              .filter(Boolean),
          );
        }}
      >
        <TextField
          label="Preview for these people (optional)"
          value={psidsText}
          onInput={setPsidsText}
          field="psids"
          error={preview.error}
          hint="PSIDs separated by commas, at most 10; empty: a sample of the segment."
        />
        <Button type="submit" busy={preview.loading} busyLabel="Rendering…">
          Refresh preview
        </Button>
      </form>
    </>
  );
}

/** The message as written, Liquid marked: beside the form on a wide screen, under the message on a phone. */
export function DraftPreview(props: {
  draft: Record<string, unknown>;
  templates?: PreviewTemplate[];
}) {
  return (
    <>
      <MessengerPreview
        message={props.draft}
        label="Preview of the message as written"
        showLiquid
        templates={props.templates}
      />
      <p class="hint">Highlighted parts are filled in for each person.</p>
    </>
  );
}

function EligibilityView(props: { eligibility: Eligibility }) {
  const { eligibility } = props;
  const share = (n: number) =>
    eligibility.audience > 0 ? ` (${Math.round((n / eligibility.audience) * 100)}%)` : '';
  const rows = (Object.keys(ELIGIBILITY_LABELS) as (keyof typeof ELIGIBILITY_LABELS)[]).filter(
    (key) => key === 'eligible' || eligibility[key] > 0,
  );
  return (
    <div class="cb-eligibility">
      <h4>Who could get it now</h4>
      <p>
        <strong>{formatNumber(eligibility.eligible)}</strong> of{' '}
        {formatNumber(eligibility.audience)} people in the segment.
      </p>
      <dl>
        {rows.map((key) => (
          <div key={key} class={`cb-eligibility__row cb-eligibility__row--${key}`}>
            <dt>{ELIGIBILITY_LABELS[key]}</dt>
            <dd>
              {formatNumber(eligibility[key])}
              <span class="hint">{share(eligibility[key])}</span>
            </dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
