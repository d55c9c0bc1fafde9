/**
 * The webhook's durable path (SPEC §5): a body is stored (one insert) before the
 * 200, processed right after it, and retried by a periodic pass while processing
 * fails, with a growing delay, until it succeeds or is marked failed with the
 * reason. Nothing is lost: a body leaves `received` only once it went through.
 */
import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { createHash } from 'node:crypto';
import type { Collection } from 'mongodb';
import type { Model } from 'mongoose';
import { BatchWriter } from '../common/batch-writer';
import { Clock } from '../common/clock';
import { SecretBox } from '../common/secret-box';
import { AppConfig } from '../config/app-config';
import { WebhookEvent, webhookBodyContext } from './webhook-event.schema';
import { WebhookMetrics } from './webhook-metrics';
import { isProblem, MAX_ATTEMPTS, retryDelayMs } from './webhook-payload';
import { WebhookRouter } from './webhook-router.service';

/**
 * How long a body being processed right after its answer is left alone by the
 * retry pass (of any instance): longer than processing one body takes.
 */
const PROCESSING_GRACE_MS = 30_000;
/** A body as the answer path stores it. */
interface StoredBody {
  _id: string;
  bodySealed: string;
  receivedAt: Date;
  status: 'received';
  attempts: number;
  nextAttemptAt: Date;
}

/** Bodies one retry pass takes up, oldest due first. */
const RETRY_BATCH = 100;
/**
 * Bodies processed at once after their answers; the others wait in arrival order.
 * Processing writes more than the answer's one insert, and on a single-writer
 * engine (FerretDB on SQLite) unbounded processing starves the acknowledgements.
 */
const PROCESSING_CONCURRENCY = 4;
/** Beyond this many waiting, bodies are left to the retry pass: stored, so not lost, and memory stays bounded. */
const MAX_WAITING = 10_000;

@Injectable()
export class WebhooksService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhooksService.name);
  private timer: NodeJS.Timeout | undefined;
  private retrying: Promise<number> | undefined;
  /** Processing started after answers and not finished yet: shutdown waits for them. */
  private readonly inFlight = new Set<Promise<void>>();
  private readonly waiting: { id: string; body: unknown; receivedAt: Date }[] = [];
  /** Bodies waiting or being processed here: the retry pass leaves them alone. */
  private readonly mine = new Set<string>();
  private closing = false;
  private readonly bodies: BatchWriter<StoredBody>;

  constructor(
    @InjectModel(WebhookEvent.name) private readonly events: Model<WebhookEvent>,
    private readonly router: WebhookRouter,
    private readonly metrics: WebhookMetrics,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly secrets: SecretBox,
  ) {
    this.bodies = new BatchWriter(this.events.collection as unknown as Collection<StoredBody>);
  }

  onApplicationBootstrap(): void {
    const every = this.config.webhook.retryTickMs;
    if (every > 0) this.timer = setInterval(() => void this.retryDue(), every).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    // Bodies still waiting are stored: the retry pass (here after a restart, or another instance) takes them.
    this.closing = true;
    await Promise.allSettled([...this.inFlight, this.retrying]);
  }

  /**
   * Stores a verified body, keyed by the hash of its bytes: the only write before
   * the answer. `fresh` is false when the same bytes were stored before (Facebook
   * redelivers a body it had no 200 for): nothing is done twice.
   */
  async store(raw: Buffer): Promise<{ id: string; receivedAt: Date; fresh: boolean }> {
    const id = createHash('sha256').update(raw).digest('hex');
    const receivedAt = this.clock.now();
    // Batched with the bodies arriving at the same moment (one insert for many), through
    // the driver: no document building or validation on the hot path.
    const result = await this.bodies.write({
      _id: id,
      bodySealed: this.secrets.seal(raw.toString('utf8'), webhookBodyContext(id)),
      receivedAt,
      status: 'received',
      attempts: 1,
      nextAttemptAt: new Date(receivedAt.getTime() + PROCESSING_GRACE_MS),
    });
    this.metrics.bodies.inc({ result: result === 'stored' ? 'stored' : 'duplicate' });
    return { id, receivedAt, fresh: result === 'stored' };
  }

  /** Processes a body stored by `store`, after the answer; never throws (failures are recorded). */
  processAfterAnswer(id: string, body: unknown, receivedAt: Date): void {
    if (this.waiting.length >= MAX_WAITING) return;
    this.waiting.push({ id, body, receivedAt });
    this.mine.add(id);
    this.startWaiting();
  }

  private startWaiting(): void {
    while (!this.closing && this.inFlight.size < PROCESSING_CONCURRENCY && this.waiting.length) {
      const next = this.waiting.shift()!;
      const run = this.process(next.id, next.body, next.receivedAt, 1).finally(() => {
        this.inFlight.delete(run);
        this.mine.delete(next.id);
        this.startWaiting();
      });
      this.inFlight.add(run);
    }
  }

  /**
   * One pass over stored bodies whose retry is due: each is claimed (its attempt
   * counted and its next try pushed back, so another pass leaves it alone), then
   * processed. Resolves with how many were taken up; one pass at a time.
   */
  retryDue(): Promise<number> {
    this.retrying ??= this.retryPass().finally(() => (this.retrying = undefined));
    return this.retrying;
  }

  private async retryPass(): Promise<number> {
    const now = this.clock.now();
    let due: WebhookEvent[];
    try {
      due = await this.events
        .find({ status: 'received', nextAttemptAt: { $lte: now } })
        .sort({ nextAttemptAt: 1 })
        .limit(RETRY_BATCH)
        .lean<WebhookEvent[]>()
        .exec();
    } catch (error) {
      this.logger.warn(`webhook retry pass failed: ${describe(error)}`);
      return 0;
    }
    let taken = 0;
    for (const event of due) {
      if (this.mine.has(event._id)) continue;
      const attempt = event.attempts + 1;
      // Set before processing: a crash mid-way leaves the body due again later, and its attempts counted.
      const claim = await this.events
        .updateOne(
          { _id: event._id, status: 'received', attempts: event.attempts },
          {
            $set: {
              attempts: attempt,
              nextAttemptAt: new Date(now.getTime() + retryDelayMs(attempt)),
            },
          },
        )
        .catch(() => ({ modifiedCount: 0 }));
      if (claim.modifiedCount === 0) continue;
      taken += 1;
      let body: unknown;
      try {
        body = JSON.parse(this.secrets.open(event.bodySealed, webhookBodyContext(event._id)));
      } catch {
        await this.finish(event._id, 'failed', {
          lastError: 'the stored body cannot be read as JSON',
        });
        continue;
      }
      await this.process(event._id, body, event.receivedAt, attempt);
    }
    return taken;
  }

  private async process(
    id: string,
    body: unknown,
    receivedAt: Date,
    attempt: number,
  ): Promise<void> {
    try {
      const result = await this.router.route(id, body, receivedAt);
      if (isProblem(result)) {
        this.logger.warn(`webhook body ${id} cannot be processed: ${result.problem}`);
        await this.finish(id, 'failed', { lastError: result.problem });
      } else {
        await this.finish(id, 'processed', {
          ...(result.refused.length > 0 ? { refused: result.refused } : {}),
        });
      }
    } catch (error) {
      const final = attempt >= MAX_ATTEMPTS;
      this.metrics.failures.inc({ final: String(final) });
      const reason = describe(error);
      this.logger.warn(
        `webhook body ${id}, attempt ${attempt}: ${reason}${final ? '; marked failed' : '; will be retried'}`,
      );
      await (
        final
          ? this.finish(id, 'failed', { lastError: reason })
          : this.events.updateOne(
              { _id: id, status: 'received' },
              {
                $set: {
                  lastError: reason,
                  nextAttemptAt: new Date(this.clock.now().getTime() + retryDelayMs(attempt)),
                },
              },
            )
      ).catch((markError: unknown) =>
        // The body stays `received` and due: the retry pass takes it up.
        this.logger.warn(`webhook body ${id} not marked: ${describe(markError)}`),
      );
    }
  }

  private async finish(
    id: string,
    status: 'processed' | 'failed',
    set: Partial<WebhookEvent>,
  ): Promise<void> {
    await this.events.updateOne(
      { _id: id },
      { $set: { status, processedAt: this.clock.now(), ...set } },
    );
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
