/**
 * Test-send: the saved message version, now, to one PSID or to each of the
 * Page's testers, with each answer shown (the message id, or Facebook's error
 * with its code, subcode and reason). A success unlocks publishing.
 */
import { useState } from 'preact/hooks';
import { api } from '../api';
import { href } from '../router';
import { Button, ErrorNotice, Notice, TextField } from '../ui/components';
import { useAction } from '../ui/hooks';
import { formatTime } from '../ui/time';
import { testSendToOne } from './campaign-api';
import { Check, Choice } from './campaign-message-editor';
import type { CampaignView, TestSendResult } from './campaign-types';

interface Outcome {
  at: Date;
  version: number;
  results: TestSendResult[];
}

export function TestSendPanel(props: {
  campaign: CampaignView;
  testers: string[] | undefined;
  names: Map<string, string>;
  dirty: boolean;
  /** Told the message version when a test-send of it arrived. */
  onArrived: (version: number) => void;
}) {
  const { campaign } = props;
  const testers = props.testers ?? [];
  const [choice, setTo] = useState<'testers' | 'psid' | undefined>();
  // The testers until the marketer chooses otherwise, once they are known.
  const to = choice ?? (testers.length > 0 ? 'testers' : 'psid');
  const [psid, setPsid] = useState('');
  const [useToken, setUseToken] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | undefined>();
  const usesTokens =
    campaign.delivery.policy === 'otn' || campaign.delivery.policy === 'notification_messages';
  const send = useAction(async () => {
    const token = usesTokens && useToken;
    const results =
      to === 'psid'
        ? [await testSendToOne(campaign.id, psid.trim(), token)]
        : (
            await api<{ results: TestSendResult[]; messageVersion: number }>(
              'POST',
              `/campaigns/${campaign.id}/test-send`,
              { testers: true, ...(token ? { useToken: true } : {}) },
            )
          ).results;
    setOutcome({ at: new Date(), version: campaign.messageVersion, results });
    if (results.some((result) => result.ok)) props.onArrived(campaign.messageVersion);
  });
  const name = (id: string) => props.names.get(id);
  return (
    <section aria-labelledby="test-send-title" class="cb-test-send">
      <h2 id="test-send-title">Test-send</h2>
      <p class="hint">
        Sends the saved message (version {campaign.messageVersion}) now, whatever the segment and
        schedule. Test-sends are not counted in the campaign's results; one that arrives unlocks
        publishing.
      </p>
      {props.dirty && (
        <Notice kind="warning">
          You have unsaved changes: a test-send sends the saved version. Save first to test what you
          see.
        </Notice>
      )}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void send.run();
        }}
        noValidate
      >
        <Choice
          legend="Send to"
          name="test-send-to"
          value={to}
          options={[
            {
              value: 'testers',
              label: `The Page's testers (${testers.length})`,
              hint: testers.length > 0 ? testers.map((t) => name(t) ?? t).join(', ') : undefined,
            },
            { value: 'psid', label: 'One person (PSID)' },
          ]}
          onChange={(value) => setTo(value as 'testers' | 'psid')}
          error={send.error?.reasonFor('testers')}
        />
        {to === 'testers' && props.testers && testers.length === 0 && (
          <p class="hint">
            This Page has no testers yet. Add them on the{' '}
            <a href={href(`/pages/${campaign.pageId}`)}>Page's screen</a>, or send to one PSID.
          </p>
        )}
        {to === 'psid' && (
          <TextField
            label="PSID"
            value={psid}
            onInput={setPsid}
            field="psid"
            error={send.error}
            placeholder="6543210987654321"
            hint="The person's Page-scoped id: digits."
          />
        )}
        {usesTokens && (
          <Check
            label="Spend one of their opt-in tokens"
            hint="Otherwise a standard message is sent, so their permission is kept for the campaign."
            checked={useToken}
            onChange={setUseToken}
          />
        )}
        <ErrorNotice error={send.error} shownFields={['psid', 'testers']} title="Not sent" />
        <div class="actions">
          <Button
            type="submit"
            variant="primary"
            busy={send.busy}
            busyLabel="Sending…"
            disabled={to === 'psid' ? !psid.trim() : testers.length === 0}
          >
            Send test
          </Button>
        </div>
      </form>
      {outcome && (
        <div class="cb-test-results" aria-live="polite">
          <h3>
            Answers for version {outcome.version}, {formatTime(outcome.at)}
          </h3>
          <ul class="cb-results">
            {outcome.results.map((result) => (
              <li
                key={result.psid}
                class={`cb-result ${result.ok ? 'cb-result--ok' : 'cb-result--failed'}`}
              >
                <div class="cb-result__who">
                  <strong>{name(result.psid) ?? result.psid}</strong>
                  {name(result.psid) && <span class="hint"> {result.psid}</span>}
                  <span class={`badge badge--${result.ok ? 'sent' : 'failed'}`}>
                    {result.ok ? 'sent' : 'refused'}
                  </span>
                </div>
                {result.ok ? (
                  <p class="cb-result__detail">
                    Message id <code>{result.messageId}</code>
                  </p>
                ) : (
                  <div class="cb-result__detail">
                    <p>{result.error.message ?? 'Not sent.'}</p>
                    <dl class="cb-result__codes">
                      {result.error.reason && (
                        <>
                          <dt>Reason</dt>
                          <dd>
                            <code>{result.error.reason}</code>
                          </dd>
                        </>
                      )}
                      {result.error.code !== undefined && (
                        <>
                          <dt>Code</dt>
                          <dd>{result.error.code}</dd>
                        </>
                      )}
                      {result.error.subcode !== undefined && (
                        <>
                          <dt>Subcode</dt>
                          <dd>{result.error.subcode}</dd>
                        </>
                      )}
                      {result.error.class && (
                        <>
                          <dt>Kind</dt>
                          <dd>{result.error.class}</dd>
                        </>
                      )}
                    </dl>
                  </div>
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
