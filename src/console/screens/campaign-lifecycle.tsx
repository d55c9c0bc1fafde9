/**
 * Publish, pause, resume, cancel and delete, each asked first and never sent
 * twice. Publishing (and resuming a changed message) needs a successful
 * test-send: the API's 409 `test_send_required` is explained, and going live
 * without one is offered behind its own confirmation.
 */
import { useState } from 'preact/hooks';
import { api, type ApiFailure } from '../api';
import { href, navigate } from '../router';
import { ConfirmButton, ErrorNotice, Notice, StatusBadge } from '../ui/components';
import { useAction } from '../ui/hooks';
import { browserTimeZone, formatTime } from '../ui/time';
import { STATUS_WORDS, type CampaignView } from './campaign-types';

type Verb = 'publish' | 'resume' | 'pause' | 'cancel' | 'delete';

export function LifecyclePanel(props: {
  campaign: CampaignView;
  dirty: boolean;
  /** The message version a test-send reached someone with, on this screen. */
  testedVersion?: number;
  onChanged: () => void;
}) {
  const { campaign } = props;
  const [done, setDone] = useState<string | undefined>();
  const [untested, setUntested] = useState<{ verb: 'publish' | 'resume'; failure: ApiFailure }>();
  const act = useAction(async (verb: Verb, force = false) => {
    setDone(undefined);
    setUntested(undefined);
    if (verb === 'delete') {
      await api('DELETE', `/campaigns/${campaign.id}`);
      navigate(`/pages/${campaign.pageId}/campaigns`);
      return;
    }
    try {
      const answer = await api<{ status: string; nextRunAt?: string }>(
        'POST',
        `/campaigns/${campaign.id}/${verb}`,
        verb === 'publish' || verb === 'resume' ? (force ? { force: true } : {}) : undefined,
      );
      setDone(
        answer.status === 'running'
          ? 'Sending has started.'
          : answer.status === 'scheduled'
            ? `Scheduled: the next run is ${formatTime(answer.nextRunAt, zoneOf(campaign))}.`
            : `The campaign is now ${answer.status}.`,
      );
    } catch (error) {
      const failure = error as ApiFailure;
      if ((verb === 'publish' || verb === 'resume') && failure.code === 'test_send_required') {
        setUntested({ verb, failure });
        return;
      }
      throw error;
    } finally {
      props.onChanged();
    }
  });
  const { status } = campaign;
  const blockedByEdits = props.dirty;
  const published = status !== 'draft';
  const zone = zoneOf(campaign);
  return (
    <section aria-labelledby="lifecycle-title" class="cb-lifecycle">
      <h2 id="lifecycle-title">Publish</h2>
      <p>
        <StatusBadge status={status} /> {STATUS_WORDS[status]}
        {campaign.pausedReason && status === 'paused' && (
          <> Paused because: {campaign.pausedReason}.</>
        )}
      </p>
      <dl class="cb-facts">
        <div>
          <dt>Message version</dt>
          <dd>
            {campaign.messageVersion}
            {campaign.publishedVersion !== undefined &&
              campaign.publishedVersion !== campaign.messageVersion &&
              ` (version ${campaign.publishedVersion} went live)`}
          </dd>
        </div>
        {campaign.nextRunAt && (
          <div>
            <dt>Next run</dt>
            <dd>
              {formatTime(campaign.nextRunAt, zone)}
              {zone !== browserTimeZone() && (
                <span class="hint"> — your time: {formatTime(campaign.nextRunAt)}</span>
              )}
            </dd>
          </div>
        )}
      </dl>
      {published && (
        <p>
          <a href={href(`/pages/${campaign.pageId}/campaigns/${campaign.id}/run`)}>
            Open the run dashboard
          </a>{' '}
          to follow its sending.
        </p>
      )}
      {blockedByEdits && (status === 'draft' || status === 'paused') && (
        <p class="hint">
          Save your changes before you {status === 'draft' ? 'publish' : 'resume'}.
        </p>
      )}
      {done && <Notice kind="success">{done}</Notice>}
      {untested && props.testedVersion === campaign.messageVersion && (
        <Notice kind="success">
          A test-send of version {campaign.messageVersion} arrived: you can{' '}
          {untested.verb === 'publish' ? 'publish' : 'resume'} now.
        </Notice>
      )}
      {untested && props.testedVersion !== campaign.messageVersion && (
        <div class="notice notice--warning" role="alert">
          <p>
            <strong>Test it first.</strong> Version {campaign.messageVersion} of this message has
            not reached anyone through a test-send yet, so nobody has seen it in Messenger. Send it
            to the Page's testers or to one person above, then{' '}
            {untested.verb === 'publish' ? 'publish' : 'resume'} again.
          </p>
          <ConfirmButton
            label={untested.verb === 'publish' ? 'Publish without a test' : 'Resume without a test'}
            question={`${untested.verb === 'publish' ? 'Publish' : 'Resume'} version ${campaign.messageVersion} without a successful test-send? It goes to real people without anyone having seen it in Messenger.`}
            confirmLabel={untested.verb === 'publish' ? 'Publish anyway' : 'Resume anyway'}
            variant="danger"
            busy={act.busy}
            onConfirm={() => act.run(untested.verb, true)}
          />
        </div>
      )}
      <ErrorNotice error={act.error} title="Not done" />
      <div class="actions">
        {status === 'draft' && (
          <ConfirmButton
            label="Publish"
            variant="primary"
            question={
              campaign.schedule.type === 'now'
                ? 'Publish now? It starts sending to everyone in the segment who can receive it.'
                : 'Publish? It will send on its schedule to everyone in the segment who can receive it then.'
            }
            busy={act.busy}
            disabled={blockedByEdits}
            onConfirm={() => act.run('publish')}
          />
        )}
        {(status === 'scheduled' || status === 'running') && (
          <ConfirmButton
            label="Pause"
            question="Pause the campaign? Nothing more is sent until you resume it."
            busy={act.busy}
            onConfirm={() => act.run('pause')}
          />
        )}
        {status === 'paused' && (
          <ConfirmButton
            label="Resume"
            variant="primary"
            question="Resume the campaign? Sending continues where it stopped, with the saved message."
            busy={act.busy}
            disabled={blockedByEdits}
            onConfirm={() => act.run('resume')}
          />
        )}
        {status !== 'completed' && status !== 'cancelled' && status !== 'draft' && (
          <ConfirmButton
            label="Cancel campaign"
            variant="danger"
            question="Cancel the campaign? It stops sending and never sends again. This cannot be undone."
            confirmLabel="Cancel the campaign"
            busy={act.busy}
            onConfirm={() => act.run('cancel')}
          />
        )}
        {status === 'draft' && (
          <ConfirmButton
            label="Delete draft"
            variant="danger"
            question="Delete this draft? It cannot be brought back."
            confirmLabel="Delete"
            busy={act.busy}
            onConfirm={() => act.run('delete')}
          />
        )}
      </div>
    </section>
  );
}

function zoneOf(campaign: CampaignView): string {
  return campaign.schedule.type === 'cron' ? campaign.schedule.timezone : browserTimeZone();
}
