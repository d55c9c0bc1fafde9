/**
 * The engine's Prometheus metrics, on the application's registry: outcomes by
 * status and reason, rate-limit waits, lease changes, sends in flight, and
 * deliveries found without an outcome after a takeover.
 */
import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service';
import type { EngineMetrics } from './engine-seams';

@Injectable()
export class DeliveryMetrics implements EngineMetrics {
  private readonly outcomes: Counter<'status' | 'reason'>;
  private readonly recoveries: Counter;
  private readonly leases: Counter;
  private readonly waits: Counter;
  private readonly sending: Gauge;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.outcomes = new Counter({
      name: 'messages_total',
      help: 'Campaign recipients with a final record, by status and reason',
      labelNames: ['status', 'reason'] as const,
      registers,
    });
    this.recoveries = new Counter({
      name: 'deliveries_recovered_unknown_total',
      help: 'Claimed deliveries without an outcome found after a takeover, recorded unknown',
      registers,
    });
    this.leases = new Counter({
      name: 'page_leases_taken_total',
      help: 'Page leases this worker took (a start or a takeover)',
      registers,
    });
    this.waits = new Counter({
      name: 'rate_limit_wait_seconds_total',
      help: 'Time sends waited for the Page rate or the campaign rate',
      registers,
    });
    this.sending = new Gauge({
      name: 'sends_in_flight',
      help: 'Send API calls waiting for an answer',
      registers,
    });
  }

  outcome(status: string, reason?: string): void {
    this.outcomes.inc({ status, reason: reason ?? '' });
  }

  recovered(count: number): void {
    if (count > 0) this.recoveries.inc(count);
  }

  leaseTaken(): void {
    this.leases.inc();
  }

  rateLimitWait(ms: number): void {
    if (ms > 0) this.waits.inc(ms / 1000);
  }

  inFlight(delta: number): void {
    this.sending.inc(delta);
  }
}
