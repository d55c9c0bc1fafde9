/**
 * A run's recipients one page at a time (the API pages by cursor), filtered by
 * outcome, reason and PSID (or its first digits), with the CSV export of
 * everything that matches.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { download, query } from '../api';
import { href } from '../router';
import {
  Button,
  Empty,
  ErrorNotice,
  Loading,
  SelectField,
  StatusBadge,
  TextField,
  TableScroll,
} from '../ui/components';
import { useAction, useApi, useDebounced } from '../ui/hooks';
import { formatNumber, formatTime } from '../ui/time';
import { describeReason, STATUS_WORDS, type DeliveryStatus, type DeliveryView } from './run-types';

export interface DeliveryFilter {
  status: '' | DeliveryStatus;
  reason: string;
  /** A PSID or its first digits. */
  psid: string;
}

const PAGE_SIZE = 50;
const LIVE_MS = 5000;

export function RunDeliveries(props: {
  pageId: string;
  campaignId: string;
  runId: string;
  /** The reasons the stats name, offered in the reason filter. */
  reasons: string[];
  filter: DeliveryFilter;
  onFilter: (filter: DeliveryFilter) => void;
  /** Changes when the list should be read again (the run moved on, an action was taken). */
  refreshKey: string;
  /** While the run sends, the first page is read again every few seconds. */
  live: boolean;
}) {
  const { filter } = props;
  // The cursors of the pages seen so far: [undefined] is the first page.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors.at(-1);
  // Typed digits are looked up once typing pauses, not at every key.
  const psid = useDebounced(filter.psid.trim(), 300);
  useEffect(() => setCursors([undefined]), [props.runId, filter.status, filter.reason, psid]);
  const params = {
    runId: props.runId,
    status: filter.status || undefined,
    reason: filter.reason || undefined,
    psid: psid || undefined,
  };
  const list = useApi<{ items: DeliveryView[]; nextCursor: string | null }>(
    `/campaigns/${props.campaignId}/deliveries${query({ ...params, limit: PAGE_SIZE, cursor })}`,
  );
  const { reload } = list;
  const seenKey = useRef(props.refreshKey);
  useEffect(() => {
    if (seenKey.current === props.refreshKey) return;
    seenKey.current = props.refreshKey;
    reload();
  }, [props.refreshKey, reload]);
  useEffect(() => {
    if (!props.live || cursors.length > 1 || list.loading) return;
    const timer = setTimeout(reload, LIVE_MS);
    return () => clearTimeout(timer);
  }, [props.live, cursors.length, list.loading, list.data, reload]);
  // Only a refresh asked for shows itself on the button (not the live ones).
  const [asked, setAsked] = useState(false);
  useEffect(() => {
    if (!list.loading) setAsked(false);
  }, [list.loading]);
  const exporting = useAction(() =>
    download(
      `/campaigns/${props.campaignId}/deliveries${query({ ...params, format: 'csv' })}`,
      `campaign-${props.campaignId}-${props.runId}${filter.status ? `-${filter.status}` : ''}${
        filter.reason ? `-${filter.reason}` : ''
      }.csv`,
    ),
  );
  const reasons = [
    ...new Set([...props.reasons, ...(filter.reason ? [filter.reason] : [])]),
  ].sort();
  const items = list.data?.items ?? [];
  const filtered = Boolean(filter.status || filter.reason || filter.psid);
  return (
    <section aria-labelledby="run-deliveries-title" id="run-deliveries">
      <h2 id="run-deliveries-title">Recipients</h2>
      <div class="run-filters">
        <SelectField
          label="Outcome"
          name="status"
          value={filter.status}
          onChange={(status) => props.onFilter({ ...filter, status: status as DeliveryStatus })}
          options={[
            { value: '', label: 'Any outcome' },
            ...(Object.keys(STATUS_WORDS) as DeliveryStatus[]).map((status) => ({
              value: status,
              label: STATUS_WORDS[status],
            })),
          ]}
        />
        <SelectField
          label="Reason"
          name="reason"
          value={filter.reason}
          onChange={(reason) => props.onFilter({ ...filter, reason })}
          options={[
            { value: '', label: 'Any reason' },
            ...reasons.map((reason) => ({ value: reason, label: describeReason(reason) })),
          ]}
        />
        <TextField
          label="PSID"
          name="psid"
          value={filter.psid}
          onInput={(value) => props.onFilter({ ...filter, psid: value })}
          field="psid"
          error={list.error}
          hint="The whole PSID or its first digits"
          type="search"
        />
        <div class="actions run-filters__actions">
          {filtered && (
            <Button onClick={() => props.onFilter({ status: '', reason: '', psid: '' })}>
              Clear filters
            </Button>
          )}
          <Button
            onClick={() => {
              setAsked(true);
              reload();
            }}
            busy={asked && list.loading}
            busyLabel="Refreshing…"
          >
            Refresh
          </Button>
          <Button
            variant="primary"
            busy={exporting.busy}
            busyLabel="Preparing CSV…"
            onClick={() => void exporting.run()}
          >
            Download CSV
          </Button>
        </div>
      </div>
      <p class="hint">
        {props.live && cursors.length === 1
          ? 'The list refreshes every few seconds while sending. '
          : ''}
        The CSV holds every recipient of this run{filtered ? ' that matches the filters' : ''}, not
        only the ones shown here.
      </p>
      <ErrorNotice error={exporting.error} title="The CSV could not be downloaded" />
      <ErrorNotice error={list.error} title="Recipients could not be loaded" />
      {list.loading && !list.data && <Loading what="recipients" />}
      {list.data && items.length === 0 && (
        <Empty>
          {filtered ? 'No recipient of this run matches these filters.' : 'No recipient yet.'}
        </Empty>
      )}
      {items.length > 0 && (
        <TableScroll label="Recipients table">
          <table class="run-deliveries">
            <caption class="visually-hidden">
              Recipients of this run
              {filter.status ? `, outcome ${STATUS_WORDS[filter.status]}` : ''}
              {filter.reason ? `, reason ${filter.reason}` : ''}, page {cursors.length}
            </caption>
            <thead>
              <tr>
                <th scope="col">Recipient (PSID)</th>
                <th scope="col">Outcome</th>
                <th scope="col">Reason</th>
                <th scope="col" class="number">
                  Tries
                </th>
                <th scope="col" class="number">
                  Round
                </th>
                <th scope="col">Sent</th>
                <th scope="col">Delivered</th>
                <th scope="col">Read</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={`${item.psid}-${item.round}`}>
                  <td>
                    <a href={href(`/pages/${props.pageId}/users/${item.psid}`)}>
                      <code>{item.psid}</code>
                    </a>
                  </td>
                  <td>
                    <StatusBadge status={item.status} />
                  </td>
                  <td class="run-deliveries__reason">
                    {item.reason ? (
                      <>
                        {describeReason(item.reason)} <code>{item.reason}</code>
                        {item.error?.message && (
                          <span class="run-deliveries__error">{item.error.message}</span>
                        )}
                      </>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td class="number">{formatNumber(item.attempts)}</td>
                  <td class="number">{formatNumber(item.round + 1)}</td>
                  <td class="run-deliveries__time">
                    {formatTime(item.sentAt, undefined, { seconds: true })}
                  </td>
                  <td class="run-deliveries__time">
                    {formatTime(item.deliveredAt, undefined, { seconds: true })}
                  </td>
                  <td class="run-deliveries__time">
                    {formatTime(item.readAt, undefined, { seconds: true })}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {(cursors.length > 1 || list.data?.nextCursor) && (
        <nav class="actions run-pager" aria-label="Recipient pages">
          <Button
            disabled={cursors.length === 1 || list.loading}
            onClick={() => setCursors((seen) => seen.slice(0, -1))}
          >
            Previous page
          </Button>
          <span>Page {cursors.length}</span>
          <Button
            disabled={!list.data?.nextCursor || list.loading}
            onClick={() => {
              const next = list.data?.nextCursor;
              if (next) setCursors((seen) => [...seen, next]);
            }}
          >
            Next page
          </Button>
        </nav>
      )}
    </section>
  );
}
