/**
 * `npm run demo`: the whole job against the Messenger sandbox and the embedded
 * database, driven over the REST API exactly as a marketer would: register a
 * Page, import a CRM export of 3,000 customers, target a segment with a
 * personalised campaign, test-send it to the Page's testers, publish it, watch
 * it go out, and export every recipient's outcome. Every step prints what it
 * sent and what came back; the process exits non-zero if a step does not answer
 * as expected.
 */
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { createApp } from '../src/app.factory';
import type { CampaignStats } from '../src/delivery/outcomes.service';
import { loadAppConfig } from '../src/config/app-config';
import { startSandbox } from '../src/sandbox/sandbox.server';
import { ensureConsoleBuilt } from './console-build';
import { startDatabase, withDatabaseName } from './database';

const ROOT = join(__dirname, '..');
const CUSTOMERS_CSV = join(__dirname, 'demo-data', 'customers.csv');
const PAGE_ID = '104857600000001';
const PAGE_TOKEN = `EAAB${randomBytes(30).toString('hex')}`;
const APP_SECRET = randomBytes(16).toString('hex');
const API_TOKEN = randomBytes(24).toString('hex');
// The marketing team, first rows of the export; the fourth tester never wrote to the Page.
const CAMILLE = '2417006151389172';
const HUGO = '2417006151389173';
const LEA = '2417006151389174';
const NEW_COLLEAGUE = '2417006151389175';
const TESTERS = [CAMILLE, HUGO, LEA, NEW_COLLEAGUE];
const TESTER_NAMES: Record<string, string> = {
  [CAMILLE]: 'Camille',
  [HUGO]: 'Hugo',
  [LEA]: 'Léa',
  [NEW_COLLEAGUE]: 'Yanis (new)',
};
/** Customers Facebook answers 551/1545041 for (they blocked the Page or left Messenger). */
const GONE_CUSTOMERS = 5;
const RATE_PER_SECOND = 100;

/** The fields of API answers the demo reads. */
interface DemoAnswer {
  importId?: string;
  id?: string;
  count?: number;
  reachable?: number;
  status?: string;
  counts?: Record<string, number>;
  errors?: { line: number; reason: string }[];
  eligibility?: Record<string, number>;
  samples?: { psid: string; request?: { message: { text: string } } }[];
  messageVersion?: number;
  results?: {
    psid: string;
    ok: boolean;
    messageId?: string;
    error?: { reason: string; code?: number; subcode?: number; message: string };
  }[];
}

const say = (line = ''): boolean => process.stdout.write(`${line}\n`);
const shorten = (text: string, max = 400): string =>
  text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;

/**
 * The bundled export as if taken now: it was generated once at a fixed time, and
 * the 24-hour window is counted from the last inbound message, so every
 * last-inbound time moves by the same amount (the newest becomes now). The file
 * has no quoted cells, so a cell is what lies between commas.
 */
function freshExport(): { csv: string; rows: string[][]; header: string[]; hours: number } {
  const [headerLine, ...lines] = readFileSync(CUSTOMERS_CSV, 'utf8').trimEnd().split('\n');
  const header = headerLine.split(',');
  const column = header.indexOf('last_inbound_at');
  const rows = lines.map((line) => line.split(','));
  const newest = Math.max(...rows.map((row) => Date.parse(row[column]) || 0));
  const shift = Date.now() - newest;
  for (const row of rows) {
    if (row[column]) row[column] = new Date(Date.parse(row[column]) + shift).toISOString();
  }
  const csv = [headerLine, ...rows.map((row) => row.join(','))].join('\n');
  return { csv: `${csv}\n`, rows, header, hours: shift / 3_600_000 };
}

function testerLine(result: NonNullable<DemoAnswer['results']>[number]): string {
  const who = `    ${TESTER_NAMES[result.psid]} ${result.psid}`;
  if (result.ok) return `${who}: sent, ${result.messageId!.slice(0, 16)}…`;
  const { reason, code, subcode, message } = result.error!;
  return `${who}: ${reason}${code ? ` (${code}/${subcode}: ${message})` : ''}`;
}

function progressBar({
  done,
  total,
  ratePerSecond,
  etaSeconds,
}: CampaignStats['progress']): string {
  const rate = `${ratePerSecond.toFixed(1)} msg/s`;
  if (total === null) return `${done} done, the audience still being counted  ${rate}`;
  const width = 30;
  const filled = total === 0 ? width : Math.round((done / total) * width);
  const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
  const eta = etaSeconds === null ? '–' : `${etaSeconds} s`;
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${done}/${total} ${percent}%  ${rate}  ETA ${eta}`;
}

/** `npm run demo -- --keep`: after the demo, keep everything running for the console until Ctrl-C. */
const KEEP = process.argv.includes('--keep');

async function main(): Promise<void> {
  say('Messenger campaign connector: demo against the sandbox\n');
  ensureConsoleBuilt(say);
  const database = await startDatabase((line) => say(`  ${line}`));
  say(`database: ${database.engine} at ${database.uri}`);
  const sandbox = await startSandbox({
    pages: [{ pageId: PAGE_ID, accessToken: PAGE_TOKEN, appSecret: APP_SECRET }],
  });
  say(`Messenger sandbox (fake Graph API): ${sandbox.url}`);

  const config = loadAppConfig({
    MONGODB_URI: withDatabaseName(database.uri, `messenger_demo_${Date.now()}`),
    GRAPH_API_URL: sandbox.url,
    API_TOKENS: API_TOKEN,
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    // One process serves the API and sends (the scheduler and the engine on).
    ROLE: 'all',
    LOG_LEVEL: 'warn',
  });
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  say(`service: ${base}, ROLE=all (OpenAPI at ${base}/docs)\n`);

  const request = (method: string, path: string, body?: unknown) => {
    const csv = typeof body === 'string';
    return fetch(`${base}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${API_TOKEN}`,
        'content-type': csv ? 'text/csv' : 'application/json',
      },
      body: body === undefined || csv ? body : JSON.stringify(body),
    });
  };

  /** Calls the API, prints the exchange (`show` picks what of a long answer matters), and checks the status. */
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    { expected = 200, show }: { expected?: number; show?: (answer: DemoAnswer) => string } = {},
  ): Promise<DemoAnswer> => {
    const response = await request(method, path, body);
    const text = await response.text();
    const answer = (text.startsWith('{') ? JSON.parse(text) : {}) as DemoAnswer;
    const shown =
      typeof body === 'string'
        ? ` (CSV, ${body.trimEnd().split('\n').length - 1} rows)`
        : body === undefined
          ? ''
          : ` ${JSON.stringify(body)}`;
    say(`${method} ${path}${shown.replace(PAGE_TOKEN, 'EAAB…').replace(APP_SECRET, '…')}`);
    say(
      `  → ${response.status} ${show && response.status === expected ? show(answer) : shorten(text)}\n`,
    );
    if (response.status !== expected)
      throw new Error(`expected ${expected} from ${method} ${path}, got ${response.status}`);
    return answer;
  };

  try {
    say('--- The Page: register it and check its connection ---\n');
    await call('GET', '/health');
    await call(
      'POST',
      '/api/pages',
      { pageId: PAGE_ID, name: 'Acme Outdoor', accessToken: PAGE_TOKEN, appSecret: APP_SECRET },
      { expected: 201 },
    );
    await call('POST', `/api/pages/${PAGE_ID}/test-message`, {
      psid: CAMILLE,
      text: 'Hello from the campaign connector 👋',
    });
    const [sent] = sandbox.sandbox.requests({ endpoint: 'messages' });
    say('What the sandbox received:');
    say(
      `  POST /${sent.version}${sent.path}?${new URLSearchParams(sent.query as Record<string, string>).toString()}`,
    );
    say(
      `  Authorization: ${sent.authorization?.startsWith('Bearer EAAB') ? 'Bearer EAAB… (the Page token, only in this header)' : 'missing!'}`,
    );
    say(`  ${JSON.stringify(sent.body)}\n`);

    say('--- Audience: a CRM export of 3,000 customers ---\n');
    const customers = freshExport();
    say(
      `${relative(ROOT, CUSTOMERS_CSV)}: typed columns (${customers.header.slice(6).join(', ')}),` +
        ` a mistyped PSID, a count that is not a number and a customer exported twice.`,
    );
    say(
      `Its last-inbound times are moved ${customers.hours.toFixed(1)} h forward, as if exported now.\n`,
    );
    const started = await call('POST', `/api/pages/${PAGE_ID}/imports`, customers.csv, {
      expected: 202,
      show: (answer) => `{"importId": "${answer.importId}", "status": "${answer.status}", …}`,
    });
    await call('GET', `/api/imports/${started.importId}?waitSeconds=60`, undefined, {
      show: (answer) =>
        `${answer.status} ${JSON.stringify(answer.counts)}\n` +
        (answer.errors ?? []).map((error) => `    line ${error.line}: ${error.reason}`).join('\n'),
    });
    const again = await call('POST', `/api/pages/${PAGE_ID}/imports`, customers.csv, {
      expected: 202,
      show: (answer) => `{"importId": "${answer.importId}", …}`,
    });
    say('The same file again changes nothing:');
    await call('GET', `/api/imports/${again.importId}?waitSeconds=60`, undefined, {
      show: (answer) => `${answer.status} ${JSON.stringify(answer.counts)}`,
    });

    say('--- Segment: loyal customers ---\n');
    const segment = await call(
      'POST',
      `/api/pages/${PAGE_ID}/segments`,
      {
        name: 'Loyal customers',
        rules: {
          any: [
            { attribute: 'vip', op: 'eq', value: true },
            { attribute: 'orders', op: 'gte', value: 2 },
          ],
        },
      },
      { expected: 201, show: (answer) => `{"id": "${answer.id}", …}` },
    );
    await call(
      'GET',
      `/api/pages/${PAGE_ID}/segments/${segment.id}/preview?sampleSize=0`,
      undefined,
      {
        show: (answer) =>
          `${answer.count} customers, ${answer.reachable} reachable now (24-hour window open, not suppressed)`,
      },
    );
    say('A rule smuggling a MongoDB operator is refused:');
    await call(
      'POST',
      `/api/pages/${PAGE_ID}/segments`,
      { name: 'bad', rules: { attribute: 'city', op: 'eq', value: { $where: 'sleep(1000)' } } },
      { expected: 400 },
    );

    say('--- Campaign: compose, preview, test-send to the testers, publish ---\n');
    const campaign = await call(
      'POST',
      `/api/pages/${PAGE_ID}/campaigns`,
      {
        name: 'Winter sale',
        segmentId: segment.id,
        message: {
          kind: 'text',
          text:
            'Hi {{ user.firstName | default: "there" }}! {% if user.attributes.vip %}As a VIP, you{% else %}You{% endif %}' +
            ' get early access to our winter sale, at the {{ user.attributes.city }} store and online.',
          quickReplies: ['Shop now', 'Later'],
        },
        delivery: { policy: 'window' },
        schedule: { type: 'now' },
        ratePerSecond: RATE_PER_SECOND,
      },
      {
        expected: 201,
        show: (answer) => `{"id": "${answer.id}", "status": "${answer.status}", …}`,
      },
    );
    await call(
      'POST',
      `/api/campaigns/${campaign.id}/preview`,
      {},
      {
        show: (answer) =>
          `eligibility now ${JSON.stringify(answer.eligibility)}\n` +
          (answer.samples ?? [])
            .slice(0, 3)
            .map((sample) => `    ${sample.psid}: ${sample.request?.message.text}`)
            .join('\n'),
      },
    );
    say('Publishing before any test-send is refused:');
    await call('POST', `/api/campaigns/${campaign.id}/publish`, {}, { expected: 409 });

    // Facebook's side of the story: Léa and a few customers blocked the Page, and
    // every answer takes a little while, as Facebook's do.
    const vip = customers.header.indexOf('vip:boolean');
    const inbound = customers.header.indexOf('last_inbound_at');
    const gone = customers.rows
      .filter((row) => row[vip] === 'yes' && Date.now() - Date.parse(row[inbound]) < 12 * 3_600_000)
      .slice(0, GONE_CUSTOMERS)
      .map((row) => row[0]);
    sandbox.sandbox.setScenario({
      latencyMs: 15,
      errorsByPsid: Object.fromEntries(
        [LEA, ...gone].map((psid) => [psid, { code: 551, subcode: 1545041 }]),
      ),
    });
    await call('PUT', `/api/pages/${PAGE_ID}/testers`, { psids: TESTERS });
    const tested = await call(
      'POST',
      `/api/campaigns/${campaign.id}/test-send`,
      { testers: true },
      {
        show: (answer) =>
          `message version ${answer.messageVersion}, one answer per tester:\n` +
          (answer.results ?? []).map(testerLine).join('\n'),
      },
    );
    if (!tested.results?.some((result) => result.ok)) throw new Error('no tester got the message');
    const [camilleGot] = sandbox.sandbox
      .requests({ endpoint: 'messages', psid: CAMILLE })
      .slice(-1);
    say(`What Camille's phone got: ${JSON.stringify(camilleGot.body)}\n`);
    say('One successful test-send of this version is enough:');
    const firstRequest = sandbox.sandbox.requests({ endpoint: 'messages' }).length;
    await call('POST', `/api/campaigns/${campaign.id}/publish`, {});

    say(`--- Sending at ${RATE_PER_SECOND} messages/s ---\n`);
    say(`GET /api/campaigns/${campaign.id}/stats, twice a second:`);
    const stats = await watch(campaign.id!, (path) => request('GET', path));
    say('');
    say(
      `Final: ${stats.status}; audience ${stats.audience}: sent ${stats.sent}, failed ${stats.failed},` +
        ` skipped ${stats.skipped}, unknown ${stats.unknown} (delivered and read come from webhooks)`,
    );
    say(
      `By reason: ${Object.entries(stats.byReason)
        .map(([reason, count]) => `${reason} ${count}`)
        .join(', ')}\n`,
    );

    // What Facebook saw must be what the stats say: each accepted PSID once.
    const accepted = sandbox.sandbox
      .requests({ endpoint: 'messages' })
      .slice(firstRequest)
      .filter(
        (received) => received.answer !== 'connection_reset' && received.answer.status === 200,
      )
      .map((received) => (received.body as { recipient: { id: string } }).recipient.id);
    if (new Set(accepted).size !== accepted.length || accepted.length !== stats.sent)
      throw new Error(
        `the sandbox accepted ${accepted.length} messages, the stats say ${stats.sent}`,
      );
    say(`The sandbox accepted ${accepted.length} messages, one per PSID, as the stats say.\n`);

    const exportPath = join(ROOT, '.cache', 'demo', `deliveries-${campaign.id}.csv`);
    mkdirSync(join(ROOT, '.cache', 'demo'), { recursive: true });
    say(`GET /api/campaigns/${campaign.id}/deliveries?format=csv`);
    const exported = await request('GET', `/api/campaigns/${campaign.id}/deliveries?format=csv`);
    if (exported.status !== 200 || !exported.body)
      throw new Error(`export answered ${exported.status}`);
    await pipeline(Readable.fromWeb(exported.body), createWriteStream(exportPath));
    const exportedLines = readFileSync(exportPath, 'utf8').trimEnd().split(/\r?\n/);
    say(`  → 200, ${exportedLines.length - 1} recipients written to ${exportPath}`);
    for (const line of exportedLines.slice(0, 3)) say(`    ${line}`);
    if (exportedLines.length - 1 !== stats.audience)
      throw new Error(`the export holds ${exportedLines.length - 1} rows for ${stats.audience}`);

    const stored = await app
      .get<Connection>(getConnectionToken())
      .collection('pages')
      .findOne({ pageId: PAGE_ID });
    if (JSON.stringify(stored).includes(PAGE_TOKEN))
      throw new Error('the access token was stored in clear');
    say(
      `\nThe stored Page keeps its token sealed: accessTokenSealed = ${String(stored?.accessTokenSealed).slice(0, 24)}…`,
    );
    say('Demo finished: every step answered as expected.\n');
    say(`Console: ${base}/console/  (API token: ${API_TOKEN})`);
    if (KEEP) {
      say('Everything keeps running for the console; press Ctrl-C to stop.');
      await interrupted();
    } else say('Run `npm run demo -- --keep` to keep the service up and open the console.');
  } finally {
    await app.close();
    await sandbox.close();
    await database.stop();
  }
}

function interrupted(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

/** Polls the stats until the run ends, drawing a progress bar (one line a second when not on a terminal). */
async function watch(
  campaignId: string,
  get: (path: string) => Promise<Response>,
): Promise<CampaignStats> {
  const deadline = Date.now() + 120_000;
  let lastPrinted = 0;
  for (;;) {
    const response = await get(`/api/campaigns/${campaignId}/stats`);
    if (response.status !== 200) throw new Error(`stats answered ${response.status}`);
    const stats = (await response.json()) as CampaignStats;
    const finished = stats.status !== 'running';
    const line = `  ${progressBar(stats.progress)}`;
    if (process.stdout.isTTY) process.stdout.write(`\r${line}\x1b[K`);
    else if (finished || Date.now() - lastPrinted >= 1000) {
      say(line);
      lastPrinted = Date.now();
    }
    if (finished) {
      if (process.stdout.isTTY) say();
      return stats;
    }
    if (Date.now() > deadline) throw new Error('the campaign did not finish within 2 minutes');
    await sleep(500);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
