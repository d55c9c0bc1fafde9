/**
 * `npm run demo`: the whole flow against the Messenger sandbox and the embedded
 * database, driven over the REST API exactly as an operator would. Every step
 * prints what it sent and what came back; the process exits non-zero if a step
 * does not answer as expected.
 */
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createApp } from '../src/app.factory';
import { SPEC_EXAMPLE_RULES } from '../src/segments/segment.dto';
import { loadAppConfig } from '../src/config/app-config';
import { startSandbox } from '../src/sandbox/sandbox.server';
import { startDatabase, withDatabaseName } from './database';

const PAGE_ID = '104857600000001';
const PAGE_TOKEN = `EAAB${randomBytes(30).toString('hex')}`;
const APP_SECRET = randomBytes(16).toString('hex');
const API_TOKEN = randomBytes(24).toString('hex');
const REACHABLE_PSID = '6543210987654321';
const UNAVAILABLE_PSID = '6543210987654399';

/** The fields of API answers the demo reads. */
interface DemoAnswer {
  importId?: string;
  id?: string;
  count?: number;
  reachable?: number;
  status?: string;
  nextRunAt?: string;
}

const say = (line = ''): boolean => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  say('Messenger campaign connector: demo against the sandbox\n');
  const database = await startDatabase((line) => say(`  ${line}`));
  say(`database: ${database.engine} at ${database.uri}`);
  const sandbox = await startSandbox({
    pages: [{ pageId: PAGE_ID, accessToken: PAGE_TOKEN, appSecret: APP_SECRET }],
  });
  sandbox.sandbox.setScenario({
    errorsByPsid: { [UNAVAILABLE_PSID]: { code: 551, subcode: 1545041 } },
  });
  say(`Messenger sandbox (fake Graph API): ${sandbox.url}`);

  const config = loadAppConfig({
    MONGODB_URI: withDatabaseName(database.uri, `messenger_demo_${Date.now()}`),
    GRAPH_API_URL: sandbox.url,
    API_TOKENS: API_TOKEN,
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'warn',
  });
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  say(`service: ${base} (OpenAPI at ${base}/docs)\n`);

  /** Calls the API, prints the exchange, and checks the status. */
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    expected = 200,
  ): Promise<DemoAnswer> => {
    const csv = typeof body === 'string';
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${API_TOKEN}`,
        'content-type': csv ? 'text/csv' : 'application/json',
      },
      body: body === undefined || csv ? body : JSON.stringify(body),
    });
    const text = await response.text();
    const answer = (text.startsWith('{') ? JSON.parse(text) : {}) as DemoAnswer;
    const shown = csv
      ? ` (CSV, ${body.split('\n').length - 1} lines)`
      : body === undefined
        ? ''
        : ` ${JSON.stringify(body)}`;
    say(`${method} ${path}${shown.replace(PAGE_TOKEN, 'EAAB…').replace(APP_SECRET, '…')}`);
    say(`  → ${response.status} ${text}\n`);
    if (response.status !== expected)
      throw new Error(`expected ${expected} from ${method} ${path}, got ${response.status}`);
    return answer;
  };

  try {
    await call('GET', '/health');
    await call(
      'POST',
      '/api/pages',
      { pageId: PAGE_ID, name: 'Acme Outdoor', accessToken: PAGE_TOKEN, appSecret: APP_SECRET },
      201,
    );
    await call('GET', '/api/pages');
    await call('POST', `/api/pages/${PAGE_ID}/test-message`, {
      psid: REACHABLE_PSID,
      text: 'Hello from the campaign connector 👋',
    });
    await call(
      'POST',
      `/api/pages/${PAGE_ID}/test-message`,
      { psid: UNAVAILABLE_PSID, text: 'Hello?' },
      422,
    );

    const [sent] = sandbox.sandbox.requests({ endpoint: 'messages' });
    say('What the sandbox received for the first message:');
    say(
      `  POST /${sent.version}${sent.path}?${new URLSearchParams(sent.query as Record<string, string>).toString()}`,
    );
    say(
      `  Authorization: ${sent.authorization?.startsWith('Bearer EAAB') ? 'Bearer EAAB… (the Page token, only in this header)' : 'missing!'}`,
    );
    say(`  ${JSON.stringify(sent.body)}\n`);

    say('--- Audience: a CRM export with typed columns, a repeated PSID and two bad rows ---\n');
    const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();
    const crmExport = [
      'psid,first_name,last_name,locale,last_inbound_at,city,orders:number,vip:boolean,signed_up:date',
      `6543210987654321,Ana,Martin,fr_FR,${hoursAgo(2)},Lyon,5,yes,2026-01-15`,
      `6543210987654322,Bruno,Dubois,fr_FR,${hoursAgo(60)},Lyon,3,no,2026-02-01`,
      '6543210987654323,Chloé,Petit,fr_FR,,Lyon,4,yes,2026-03-10',
      `6543210987654324,Daniel,Leroy,en_US,${hoursAgo(5)},Paris,9,yes,2025-12-24`,
      'not-a-psid,Emma,Robert,fr_FR,,Nice,1,no,2026-04-02',
      '6543210987654326,Hugo,Moreau,fr_FR,,Lyon,many,no,2026-05-05',
      `6543210987654321,Ana,Martin,fr_FR,${hoursAgo(1)},Lyon,6,yes,2026-01-15`,
    ].join('\n');
    const started = await call('POST', `/api/pages/${PAGE_ID}/imports`, `${crmExport}\n`, 202);
    await call('GET', `/api/imports/${started.importId}?waitSeconds=30`);
    const again = await call('POST', `/api/pages/${PAGE_ID}/imports`, `${crmExport}\n`, 202);
    say('The same file again changes nothing:');
    await call('GET', `/api/imports/${again.importId}?waitSeconds=30`);

    say('--- Segments: the SPEC example, previewed ---\n');
    const segment = await call(
      'POST',
      `/api/pages/${PAGE_ID}/segments`,
      {
        name: 'Lyon regulars',
        rules: SPEC_EXAMPLE_RULES,
      },
      201,
    );
    const preview = await call(
      'GET',
      `/api/pages/${PAGE_ID}/segments/${segment.id}/preview?sampleSize=3`,
    );
    say(
      `Segment "Lyon regulars": ${preview.count} users, ${preview.reachable} reachable now (24-hour window open, not suppressed).\n`,
    );
    await call(
      'POST',
      `/api/pages/${PAGE_ID}/segments`,
      { name: 'bad', rules: { attribute: 'city', op: 'eq', value: { $where: 'sleep(1000)' } } },
      400,
    );

    say('--- Campaigns: compose, preview, test-send, publish ---\n');
    const campaign = await call(
      'POST',
      `/api/pages/${PAGE_ID}/campaigns`,
      {
        name: 'Restock',
        segmentId: segment.id,
        message: {
          kind: 'text',
          text: 'Hi {{ user.firstName | default: "there" }}, the {{ user.attributes.city }} store has your size back in stock',
          quickReplies: ['Shop now', 'user_email', 'Later [https://example.com/later.png]'],
        },
        delivery: { policy: 'window' },
        schedule: { type: 'cron', cron: '0 9 * * 1', timezone: 'Europe/Paris' },
      },
      201,
    );
    await call('POST', `/api/campaigns/${campaign.id}/preview`, {});
    say('Publishing before any test-send is refused:');
    await call('POST', `/api/campaigns/${campaign.id}/publish`, {}, 409);
    sandbox.sandbox.setScenario({ outsideWindowPsids: ['6543210987654322'] });
    say("A test-send to a user whose 24-hour window closed shows Facebook's refusal:");
    await call(
      'POST',
      `/api/campaigns/${campaign.id}/test-send`,
      { psid: '6543210987654322' },
      422,
    );
    await call('POST', `/api/campaigns/${campaign.id}/test-send`, { psid: REACHABLE_PSID });
    const published = await call('POST', `/api/campaigns/${campaign.id}/publish`, {});
    say(`Scheduled: next run ${published.nextRunAt} (Monday 09:00 Europe/Paris).\n`);

    const stored = await app
      .get<Connection>(getConnectionToken())
      .collection('pages')
      .findOne({ pageId: PAGE_ID });
    say(
      `Stored Page document keeps the token sealed: accessTokenSealed = ${String(stored?.accessTokenSealed).slice(0, 24)}…`,
    );
    if (JSON.stringify(stored).includes(PAGE_TOKEN))
      throw new Error('the access token was stored in clear');
    say('\nDemo finished: every step answered as expected.');
  } finally {
    await app.close();
    await sandbox.close();
    await database.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
