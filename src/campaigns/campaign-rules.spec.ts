import {
  canTransition,
  CAMPAIGN_STATUSES,
  TRANSITIONS,
  type CampaignStatus,
} from './campaign-status';
import { messagingTypeFor, parseDelivery } from './delivery-policy';
import { nextOccurrence, parseSchedule, type Schedule } from './schedule';

describe('campaign transition table', () => {
  const allowed: [CampaignStatus, CampaignStatus][] = [
    ['draft', 'scheduled'],
    ['draft', 'running'],
    ['draft', 'cancelled'],
    ['scheduled', 'running'],
    ['scheduled', 'paused'],
    ['scheduled', 'cancelled'],
    ['running', 'paused'],
    ['running', 'completed'],
    ['running', 'scheduled'],
    ['running', 'cancelled'],
    ['paused', 'running'],
    ['paused', 'scheduled'],
    ['paused', 'cancelled'],
    ['completed', 'running'],
  ];

  it.each(CAMPAIGN_STATUSES.flatMap((from) => CAMPAIGN_STATUSES.map((to) => [from, to] as const)))(
    '%s → %s',
    (from, to) => {
      expect(canTransition(from, to)).toBe(allowed.some(([a, b]) => a === from && b === to));
    },
  );

  it('ends in cancelled, and completed only runs again to retry', () => {
    expect(TRANSITIONS.completed).toEqual(['running']);
    expect(TRANSITIONS.cancelled).toEqual([]);
  });
});

describe('schedules', () => {
  const now = new Date('2026-11-23T12:00:00Z');
  const parsed = (input: unknown) => {
    const result = parseSchedule(input, now);
    if ('problems' in result) throw new Error(JSON.stringify(result.problems));
    return result.schedule;
  };
  const refused = (input: unknown) => {
    const result = parseSchedule(input, now);
    return 'problems' in result ? result.problems[0] : undefined;
  };

  it('reads now, at with an offset, and cron in a timezone', () => {
    expect(parsed({ type: 'now' })).toEqual({ type: 'now' });
    expect(parsed({ type: 'at', at: '2026-11-27T09:00:00+01:00' })).toEqual({
      type: 'at',
      at: '2026-11-27T08:00:00.000Z',
    });
    expect(parsed({ type: 'cron', cron: '0 9 * * 1', timezone: 'Europe/Paris' })).toEqual({
      type: 'cron',
      cron: '0 9 * * 1',
      timezone: 'Europe/Paris',
    });
  });

  it.each([
    [{ type: 'at', at: '2026-11-01T09:00:00Z' }, 'schedule.at', 'must be in the future'],
    [{ type: 'at', at: 'tomorrow' }, 'schedule.at', expect.stringContaining('ISO 8601')],
    [
      { type: 'cron', cron: '0 9 * * 1', timezone: 'Mars/Olympus' },
      'schedule.timezone',
      expect.stringContaining('IANA'),
    ],
    [
      { type: 'cron', cron: '61 9 * * 1', timezone: 'Europe/Paris' },
      'schedule.cron',
      expect.stringContaining('is not valid'),
    ],
    [
      { type: 'cron', cron: '* * *', timezone: 'Europe/Paris' },
      'schedule.cron',
      expect.stringContaining('5-field'),
    ],
    [{ type: 'weekly' }, 'schedule.type', 'must be now, at or cron'],
    // Without an offset the time would silently be read in the server's zone.
    [{ type: 'at', at: '2026-11-27T09:00:00' }, 'schedule.at', expect.stringContaining('offset')],
    [{ type: 'at', at: '2026-11-27' }, 'schedule.at', expect.stringContaining('offset')],
    [{ type: 'now', at: '2026-11-27T09:00:00Z' }, 'schedule.at', 'is not an allowed field'],
    [
      { type: 'cron', cron: '0 9 * * 1', timezone: 'Europe/Paris', tz: 'UTC' },
      'schedule.tz',
      'is not an allowed field',
    ],
  ])('refuses %j', (input, field, reason) => {
    expect(refused(input)).toEqual({ field, reason });
  });

  const cron = (expression: string, timezone = 'Europe/Paris'): Schedule => ({
    type: 'cron',
    cron: expression,
    timezone,
  });

  it('computes the next Monday 09:00 in Paris (UTC+1 in winter)', () => {
    expect(nextOccurrence(cron('0 9 * * 1'), now)).toEqual(new Date('2026-11-30T08:00:00Z'));
  });

  it('fires a 02:30 Paris schedule once on the spring-forward day, at 03:30 CEST', () => {
    const first = nextOccurrence(cron('30 2 * * *'), new Date('2027-03-27T12:00:00Z'))!;
    expect(first).toEqual(new Date('2027-03-28T01:30:00Z'));
    expect(nextOccurrence(cron('30 2 * * *'), first)).toEqual(new Date('2027-03-29T00:30:00Z'));
  });

  it('fires a 02:30 Paris schedule once on the fall-back day, though 02:30 happens twice', () => {
    const first = nextOccurrence(cron('30 2 * * *'), new Date('2026-10-24T12:00:00Z'))!;
    expect(first).toEqual(new Date('2026-10-25T00:30:00Z'));
    expect(nextOccurrence(cron('30 2 * * *'), first)).toEqual(new Date('2026-10-26T01:30:00Z'));
  });

  it('has no occurrence after an `at` time has passed', () => {
    expect(
      nextOccurrence(
        { type: 'at', at: '2026-11-27T08:00:00.000Z' },
        new Date('2026-11-28T00:00:00Z'),
      ),
    ).toBeUndefined();
  });
});

describe('delivery policies', () => {
  it('defaults to the messaging window', () => {
    expect(parseDelivery(undefined, [])).toEqual({
      delivery: { policy: 'window', attemptUnknownWindow: false },
    });
    expect(parseDelivery({ policy: 'window', attemptUnknownWindow: true }, [])).toEqual({
      delivery: { policy: 'window', attemptUnknownWindow: true },
    });
  });

  it('refuses a tag that is not allowed, naming the allowed ones', () => {
    expect(parseDelivery({ policy: 'tag', tag: 'POST_PURCHASE_UPDATE' }, [])).toEqual({
      problems: [{ field: 'delivery.tag', reason: expect.stringContaining('none is now') }],
    });
    expect(parseDelivery({ policy: 'tag', tag: 'X' }, ['HUMAN_AGENT'])).toEqual({
      problems: [{ field: 'delivery.tag', reason: 'must be one of HUMAN_AGENT' }],
    });
    expect(parseDelivery({ policy: 'tag', tag: 'HUMAN_AGENT' }, ['HUMAN_AGENT'])).toEqual({
      delivery: { policy: 'tag', tag: 'HUMAN_AGENT' },
    });
  });

  it('needs a topic for one-time notifications', () => {
    expect(parseDelivery({ policy: 'window', tag: 'X' }, [])).toEqual({
      problems: [{ field: 'delivery.tag', reason: 'is not an allowed field' }],
    });
    expect(parseDelivery({ policy: 'toString', constructor: 1 }, [])).toEqual({
      problems: [{ field: 'delivery.constructor', reason: 'is not an allowed field' }],
    });
    expect(parseDelivery({ policy: 'otn' }, [])).toEqual({
      problems: [{ field: 'delivery.topic', reason: expect.any(String) }],
    });
    expect(parseDelivery({ policy: 'otn', topic: 'restock' }, [])).toEqual({
      delivery: { policy: 'otn', topic: 'restock' },
    });
  });

  it('maps policies to messaging types', () => {
    expect(messagingTypeFor({ policy: 'window', attemptUnknownWindow: false })).toEqual({
      messagingType: 'UPDATE',
    });
    expect(messagingTypeFor({ policy: 'tag', tag: 'HUMAN_AGENT' })).toEqual({
      messagingType: 'MESSAGE_TAG',
      tag: 'HUMAN_AGENT',
    });
    expect(messagingTypeFor({ policy: 'otn', topic: 't' })).toEqual({ messagingType: 'UPDATE' });
    expect(
      messagingTypeFor({ policy: 'utility', template: 'x', language: 'en_US', parameters: [] }),
    ).toEqual({ messagingType: 'UTILITY' });
  });

  const utility = (fields: object) => parseDelivery({ policy: 'utility', ...fields }, []);
  it.each<[string, object, object]>([
    [
      'a template, its language and Liquid parameters',
      {
        template: 'order_update',
        language: 'en_US',
        parameters: ['{{ user.firstName }}', '{{ user.attributes.orderId }}'],
      },
      {
        delivery: {
          policy: 'utility',
          template: 'order_update',
          language: 'en_US',
          parameters: ['{{ user.firstName }}', '{{ user.attributes.orderId }}'],
        },
      },
    ],
    [
      'no parameters for a body without any',
      { template: 'order_update', language: 'en' },
      { delivery: { policy: 'utility', template: 'order_update', language: 'en', parameters: [] } },
    ],
    [
      'a name and language Facebook would refuse',
      { template: 'Order Update', language: 'english', parameters: [] },
      {
        problems: [
          { field: 'delivery.template', reason: 'must be a template name' },
          { field: 'delivery.language', reason: 'must be a locale such as en_US' },
        ],
      },
    ],
    [
      'a parameter that is not a string',
      { template: 'a', language: 'en_US', parameters: ['x', 3] },
      { problems: [{ field: 'delivery.parameters', reason: expect.any(String) }] },
    ],
    [
      'a parameter whose Liquid does not parse',
      { template: 'a', language: 'en_US', parameters: ['ok', '{{ user.firstName | nope }}'] },
      {
        problems: [{ field: 'delivery.parameters[1]', reason: expect.stringMatching(/^Liquid: /) }],
      },
    ],
    [
      'a field of another policy',
      { template: 'a', language: 'en_US', topic: 't' },
      { problems: [{ field: 'delivery.topic', reason: 'is not an allowed field' }] },
    ],
  ])('utility: %s', (_name, fields, expected) => {
    expect(utility(fields)).toEqual(expected);
  });
});
