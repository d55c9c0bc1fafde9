import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service';

/** The webhook's Prometheus metrics, on the application's registry. */
@Injectable()
export class WebhookMetrics {
  /** Events by type (unknown ones by their key) and what became of them. */
  readonly events: Counter<'type' | 'outcome'>;
  /** Bodies by what the POST did with them. */
  readonly bodies: Counter<'result'>;
  /** Processing attempts that failed, by whether the body will be retried. */
  readonly failures: Counter<'final'>;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.events = new Counter({
      name: 'webhook_events_total',
      help: 'Webhook events processed, by type and outcome (applied, ignored: unknown type or unregistered Page, refused)',
      labelNames: ['type', 'outcome'] as const,
      registers,
    });
    this.bodies = new Counter({
      name: 'webhook_bodies_total',
      help: 'Webhook POST bodies, by result (stored, duplicate, bad_signature)',
      labelNames: ['result'] as const,
      registers,
    });
    this.failures = new Counter({
      name: 'webhook_processing_failures_total',
      help: 'Webhook bodies whose processing failed, by whether that was the last attempt',
      labelNames: ['final'] as const,
      registers,
    });
  }
}
