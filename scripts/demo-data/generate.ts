/**
 * Writes the demo's CRM export, `customers.csv` beside this file, the same bytes
 * on every run (a seeded generator and a fixed reference time; the demo moves the
 * last-inbound times to its own now). Run it only to change the sample:
 * `npx ts-node --transpile-only scripts/demo-data/generate.ts`.
 *
 * 3,000 customers: most wrote to the Page within the last 24 hours, some longer
 * ago, some never (no last-inbound time). The first rows are the marketing team,
 * the Page's testers; a few rows are bad or repeated, as in a real export.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const REFERENCE = Date.parse('2026-11-29T12:00:00Z');
const CUSTOMERS = 3000;
const HOUR = 3_600_000;

/** mulberry32: small, seeded, and the same everywhere. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const random = seeded(20261129);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
const words = (text: string): string[] => text.split(' ');

interface Region {
  share: number;
  locale: string;
  timezone: string;
  cities: string[];
  first: string[];
  last: string[];
}

const REGIONS: Region[] = [
  {
    share: 0.84,
    locale: 'fr_FR',
    timezone: 'Europe/Paris',
    cities: words(
      'Paris Paris Paris Lyon Lyon Marseille Toulouse Bordeaux Lille Nantes Nice Strasbourg Montpellier Rennes Grenoble',
    ),
    first: words(
      'Léa Emma Chloé Manon Camille Inès Jade Louise Zoé Alice Clara Juliette Sarah Anaïs Margaux Lucas Hugo Louis Gabriel Arthur Jules Nathan Théo Raphaël Tom Paul Maxime Antoine Mathis Noah Élise Amélie Bruno Céline Damien Nadia Karim Yasmine',
    ),
    last: words(
      'Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefebvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard André Mercier Dupont Lambert Bonnet François Martinez Legrand Garnier Faure Rousseau Benali',
    ),
  },
  {
    share: 0.09,
    locale: 'en_GB',
    timezone: 'Europe/London',
    cities: words('London London Manchester Bristol Edinburgh'),
    first: words('Oliver George Harry Amelia Olivia Isla Jack Emily Sophie'),
    last: words('Smith Jones Taylor Brown Williams Wilson Evans Walker'),
  },
  {
    share: 0.07,
    locale: 'de_DE',
    timezone: 'Europe/Berlin',
    cities: words('Berlin München Hamburg Köln'),
    first: words('Lukas Leon Finn Mia Hannah Lena Jonas Anna Felix'),
    last: words('Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker'),
  },
];

function region(): Region {
  let draw = random();
  for (const candidate of REGIONS) {
    draw -= candidate.share;
    if (draw < 0) return candidate;
  }
  return REGIONS[0];
}

/** Most wrote within the day; some weeks ago; some never (the webhook has not seen them). */
function lastInboundAt(): string {
  const draw = random();
  const ago =
    draw < 0.8 ? random() * 23 * HOUR : draw < 0.93 ? (2 + random() * 40) * 24 * HOUR : undefined;
  return ago === undefined ? '' : new Date(REFERENCE - Math.round(ago / 1000) * 1000).toISOString();
}

/** Few customers order often: 0 to 24, most of them under 5. */
const orders = (): number => Math.min(24, Math.floor(-Math.log(1 - random()) * 3));

const day = (daysAgo: number): string =>
  new Date(REFERENCE - daysAgo * 24 * HOUR).toISOString().slice(0, 10);

const psids = new Set<string>();
function newPsid(): string {
  for (;;) {
    const psid = `2${String(Math.floor(random() * 1e15)).padStart(15, '0')}`;
    if (!psids.has(psid)) {
      psids.add(psid);
      return psid;
    }
  }
}

const HEADER =
  'psid,first_name,last_name,locale,timezone,last_inbound_at,city,orders:number,vip:boolean,signed_up:date';
const recently = new Date(REFERENCE - 10 * 60_000).toISOString();
// The Page's testers: the marketing team, who wrote to the Page this morning.
const rows = [
  `2417006151389172,Camille,Laurent,fr_FR,Europe/Paris,${recently},Paris,0,no,2025-09-01`,
  `2417006151389173,Hugo,Mercier,fr_FR,Europe/Paris,${recently},Lyon,0,no,2025-09-01`,
  `2417006151389174,Léa,Fournier,fr_FR,Europe/Paris,${recently},Paris,0,no,2025-09-01`,
];
for (const psid of ['2417006151389172', '2417006151389173', '2417006151389174']) psids.add(psid);

for (let index = 0; index < CUSTOMERS; index += 1) {
  const where = region();
  const count = orders();
  const vip = count >= 8 || random() < 0.05;
  rows.push(
    [
      newPsid(),
      pick(where.first),
      pick(where.last),
      where.locale,
      where.timezone,
      lastInboundAt(),
      pick(where.cities),
      count,
      vip ? 'yes' : 'no',
      day(30 + Math.floor(random() * 900)),
    ].join(','),
  );
}

// What a real export carries too: a PSID mistyped, a count that is not a number,
// and a customer exported twice (the later row, with one more order, wins).
const typo = rows[700].split(',');
typo[0] = `${typo[0].slice(0, 9)}O${typo[0].slice(10)}`;
rows.splice(701, 0, typo.join(','));
const notANumber = rows[1500].split(',');
rows[1500] = [newPsid(), ...notANumber.slice(1, 7), 'n/a', ...notANumber.slice(8)].join(',');
const repeated = rows[2200].split(',');
repeated[7] = String(Number(repeated[7]) + 1);
rows.push(repeated.join(','));

writeFileSync(join(__dirname, 'customers.csv'), `${[HEADER, ...rows].join('\n')}\n`);
