/**
 * The builder's preview: the message as written (drawn while typing, Liquid
 * marked), then as the API renders the saved version for real people of the
 * segment (POST /campaigns/:id/preview), one phone per sample with a render
 * failure shown for its person, and who in the audience could receive it now.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, type ApiFailure } from '../api';
import { Button, ErrorNotice, Loading, Notice, TextField } from '../ui/components';
import { asFailure } from '../ui/hooks';
import { formatNumber } from '../ui/time';
import { MessengerPreview, type PreviewTemplate } from '../ui/messenger-preview';
import { ELIGIBILITY_LABELS, type Eligibility, type PreviewAnswer } from './campaign-types';

const SHOWN_AT_FIRST = 3;

function usePreview(campaignId: string | null, refresh: number, psids: string[]) {
  const [state, setState] = useState<{
    data?: PreviewAnswer;
    error?: ApiFailure;
    loading: boolean;
  }>({ loading: campaignId !== null });
  const wanted = psids.join(',');
  useEffect(() => {
    if (!campaignId) return;
    const controller = new AbortController();
    setState((previous) => ({ ...previous, loading: true }));
    api<PreviewAnswer>(
      'POST',
      `/campaigns/${campaignId}/preview`,
      wanted ? { psids: wanted.split(',') } : {},
      { signal: controller.signal },
    ).then(
      (data) => setState({ data, loading: false }),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setState((previous) => ({ data: previous.data, error: asFailure(error), loading: false }));
      },
    );
    return () => controller.abort();
  }, [campaignId, refresh, wanted]);
  return state;
}

export function PreviewPanel(props: {
  campaignId: string | null;
  /** Bumped after each save: the samples are rendered again. */
  refresh: number;
  dirty: boolean;
  draft: Record<string, unknown>;
  templates?: PreviewTemplate[];
  names: Map<string, string>;
}) {
  const [psidsText, setPsidsText] = useState('');
  const [psids, setPsids] = useState<string[]>([]);
  const [again, setAgain] = useState(0);
  const [showAll, setShowAll] = useState(false);
  const preview = usePreview(props.campaignId, props.refresh + again, psids);
  const samples = preview.data?.samples ?? [];
  const shown = showAll ? samples : samples.slice(0, SHOWN_AT_FIRST);
  const label = (psid: string) => props.names.get(psid) ?? `PSID ${psid}`;
  return (
    <section aria-labelledby="preview-title" class="cb-preview">
      <h2 id="preview-title">Preview</h2>
      <div class="cb-desktop-only">
        <h3>As you write</h3>
        <DraftPreview draft={props.draft} templates={props.templates} />
      </div>

      <h3>For people in the segment</h3>
      {!props.campaignId ? (
        <p class="hint">Save the draft to see it as real people of the segment will get it.</p>
      ) : (
        <>
          {props.dirty && preview.data && (
            <Notice kind="warning">
              These show the saved version {preview.data.messageVersion}: save to see your changes
              for them.
            </Notice>
          )}
          <ErrorNotice error={preview.error} title="The preview could not be made" />
          {preview.loading && <Loading what="the preview" />}
          {preview.data && <EligibilityView eligibility={preview.data.eligibility} />}
          {preview.data && samples.length === 0 && (
            <p class="empty">
              Nobody to show: the segment has no users{psids.length > 0 ? ' with these PSIDs' : ''}.
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
          <form
            class="cb-preview__who"
            onSubmit={(event) => {
              event.preventDefault();
              setPsids(
                psidsText
                  .split(/[\s,]+/)
                  .map((p) => p.trim())
                  .filter(Boolean),
              );
              setAgain((n) => n + 1);
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
      )}
    </section>
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
