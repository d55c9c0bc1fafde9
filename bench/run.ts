/**
 * `npm run bench [name…]`: runs the named benchmarks (all by default) and prints
 * their Markdown tables with the machine, ready for docs/benchmarks.md.
 */
import { benchGraphSend } from './graph-send';
import { benchImport } from './import';
import { describeMachine } from './machine';
import { benchScale } from './scale';
import { benchSend } from './send';
import { benchWebhooks } from './webhooks';

const BENCHMARKS: Record<string, () => Promise<string>> = {
  'graph-send': () => benchGraphSend(),
  import: () => benchImport(process.env.BENCH_IMPORT_SIZES?.split(',').map(Number)),
  send: () =>
    benchSend(
      Number(process.env.BENCH_SEND_USERS ?? 2000),
      Number(process.env.BENCH_SEND_LARGE ?? 200_000),
      Number(process.env.BENCH_SEND_DEADLINE_S ?? 1200) * 1000,
    ),
  webhooks: () => benchWebhooks(Number(process.env.BENCH_WEBHOOK_BODIES ?? 5000)),
  scale: () =>
    benchScale(
      Number(process.env.BENCH_SCALE_USERS ?? 400),
      Number(process.env.BENCH_SCALE_RATE ?? 40),
    ),
};

async function main(): Promise<void> {
  const names = process.argv.slice(2);
  const unknown = names.filter((name) => !(name in BENCHMARKS));
  if (unknown.length > 0)
    throw new Error(
      `unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}`,
    );
  process.stdout.write(`Machine: ${describeMachine()}\n\n`);
  for (const name of names.length > 0 ? names : Object.keys(BENCHMARKS)) {
    process.stdout.write(`${await BENCHMARKS[name]()}\n\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
