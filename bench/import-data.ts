/** Realistic CRM exports for the import benchmark: a PSID and ten attribute columns. */
import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';

// Beside the sources (and ignored by git), also when run from the compiled copy.
export const DATA_DIR = join(process.cwd(), 'bench', 'data');
export const HEADER =
  'psid,first_name,last_name,locale,timezone,last_inbound_at,city,orders:number,vip:boolean,signed_up:date,email';

const FIRST = [
  'Ana',
  'Bruno',
  'Chloé',
  'Daniel',
  'Emma',
  'François',
  'Giulia',
  'Hugo',
  'Inès',
  'Jonas',
  'Karim',
  'Léa',
];
const LAST = [
  'Martin',
  'Bernard',
  'Dubois',
  'Thomas',
  'Robert',
  'Richard',
  'Petit',
  'Durand',
  'Leroy',
  'Moreau',
];
const CITIES = [
  'Lyon',
  'Paris',
  'Marseille',
  'Toulouse',
  'Nice',
  'Nantes',
  'Lille',
  'Bordeaux',
  'Strasbourg',
  'Rennes',
];
const LOCALES = ['fr_FR', 'en_US', 'de_DE', 'es_ES', 'it_IT'];
const ZONES = ['Europe/Paris', 'Europe/Berlin', 'America/New_York', 'Europe/Madrid'];

/** Deterministic row `index`: the same file every time. */
export function row(index: number): string {
  const pick = <T>(list: T[], salt: number) => list[(index * 7919 + salt) % list.length];
  const psid = String(6_000_000_000_000_000n + BigInt(index) * 7_919n);
  const lastInbound =
    index % 3 === 0
      ? ''
      : new Date(Date.UTC(2026, 10, 1) + (index % 500) * 3_600_000).toISOString();
  const signedUp = new Date(Date.UTC(2024, 0, 1) + (index % 900) * 86_400_000)
    .toISOString()
    .slice(0, 10);
  const first = pick(FIRST, 1);
  return [
    psid,
    first,
    pick(LAST, 3),
    pick(LOCALES, 5),
    pick(ZONES, 7),
    lastInbound,
    pick(CITIES, 11),
    index % 37,
    index % 5 === 0,
    signedUp,
    `${first.toLowerCase()}.${index}@example.com`,
  ].join(',');
}

/** Writes bench/data/users-<rows>.csv once and returns its path. */
export async function ensureCsv(rows: number): Promise<string> {
  mkdirSync(DATA_DIR, { recursive: true });
  const path = join(DATA_DIR, `users-${rows}.csv`);
  if (existsSync(path) && statSync(path).size > 0) return path;
  const out = createWriteStream(path);
  out.write(`${HEADER}\n`);
  for (let index = 0; index < rows; index += 1) {
    if (!out.write(`${row(index)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return path;
}
