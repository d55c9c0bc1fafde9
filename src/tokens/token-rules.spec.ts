import type { FailureClass, FailureEffect } from '../messenger/graph-errors';
import {
  effectiveStatus,
  firstMissing,
  MARKETING_COOLDOWN_MS,
  nextAllowedAt,
  otnExpiry,
  outcomeOfSend,
  parseOptin,
  settledStatus,
  useKeyOf,
} from './token-rules';

const at = (iso: string) => new Date(iso);
const received = at('2026-11-29T12:00:00Z');

describe('token expiry', () => {
  it('gives an OTN a year from the opt-in, leap days included', () => {
    expect(otnExpiry(at('2026-03-01T10:00:00Z'))).toEqual(at('2027-03-01T10:00:00Z'));
    expect(otnExpiry(at('2028-02-29T10:00:00Z'))).toEqual(at('2029-03-01T10:00:00Z'));
  });

  it('shows an active token past its expiry as expired, and leaves other statuses alone', () => {
    const expiresAt = at('2026-11-29T12:00:00Z');
    expect(effectiveStatus({ status: 'active', expiresAt }, at('2026-11-29T11:59:59Z'))).toBe(
      'active',
    );
    expect(effectiveStatus({ status: 'active', expiresAt }, expiresAt)).toBe('expired');
    expect(effectiveStatus({ status: 'consumed', expiresAt }, at('2027-01-01T00:00:00Z'))).toBe(
      'consumed',
    );
  });
});

describe('marketing-message frequency', () => {
  const used = at('2026-01-31T08:00:00Z');

  it('never allows two sends within Facebook’s 48-hour cooldown, even daily', () => {
    expect(MARKETING_COOLDOWN_MS).toBe(48 * 3_600_000);
    expect(nextAllowedAt('DAILY', used)).toEqual(at('2026-02-02T08:00:00Z'));
    expect(nextAllowedAt(undefined, used)).toEqual(at('2026-02-02T08:00:00Z'));
  });

  it('waits a week, or 31 days for a month (never less than any month)', () => {
    expect(nextAllowedAt('WEEKLY', used)).toEqual(at('2026-02-07T08:00:00Z'));
    expect(nextAllowedAt('MONTHLY', used)).toEqual(at('2026-03-03T08:00:00Z'));
    expect(nextAllowedAt('MONTHLY', at('2026-07-01T00:00:00Z'))).toEqual(
      at('2026-08-01T00:00:00Z'),
    );
  });
});

describe('claim keys', () => {
  it('keys an OTN use by the token alone: one use ever', () => {
    expect(useKeyOf('otn', 'tok', 1)).toBe('tok');
    expect(useKeyOf('otn', 'tok', 2)).toBe('tok');
  });

  it('numbers a marketing-message token’s uses', () => {
    expect(useKeyOf('notification_messages', 'tok', 1)).toBe('tok:1');
    expect(useKeyOf('notification_messages', 'tok', 7)).toBe('tok:7');
  });

  it.each([0, 1, 2, 3, 7, 8, 100])(
    'finds the next use number after %i uses with few lookups',
    async (used) => {
      const asked: number[] = [];
      const next = await firstMissing(async (n) => {
        asked.push(n);
        return n <= used;
      });
      expect(next).toBe(used + 1);
      expect(asked.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(used + 2)) + 1);
    },
  );
});

describe('settled status', () => {
  it('spends an OTN whatever happened', () => {
    expect(settledStatus('otn', 'consumed')).toBe('consumed');
    expect(settledStatus('otn', 'sent')).toBe('consumed');
    expect(settledStatus('otn', 'invalid')).toBe('invalid');
    expect(settledStatus('otn', 'unknown')).toBe('unknown');
    expect(settledStatus('otn', 'frequency')).toBe('invalid');
  });

  it('keeps a marketing-message token active unless Facebook called it invalid', () => {
    for (const outcome of ['sent', 'unknown', 'frequency'] as const) {
      expect(settledStatus('notification_messages', outcome)).toBe('active');
    }
    expect(settledStatus('notification_messages', 'invalid')).toBe('invalid');
  });
});

describe('outcomeOfSend', () => {
  const graph = (klass: FailureClass, effect: FailureEffect) =>
    ({ kind: 'graph', class: klass, effect }) as const;

  it('settles a success as consumed (OTN) or sent (marketing message)', () => {
    expect(outcomeOfSend('otn')).toBe('consumed');
    expect(outcomeOfSend('notification_messages')).toBe('sent');
  });

  it("settles Facebook's frequency refusal as frequency", () => {
    expect(outcomeOfSend('notification_messages', graph('permanent', 'frequency'))).toBe(
      'frequency',
    );
  });

  it('spends an OTN on any refusal Facebook answered, a marketing-message token only on a bad parameter', () => {
    expect(outcomeOfSend('otn', graph('permanent', 'suppress_user'))).toBe('invalid');
    expect(outcomeOfSend('otn', graph('page_fatal', 'pause_page'))).toBe('invalid');
    expect(outcomeOfSend('notification_messages', graph('permanent', 'invalid_parameter'))).toBe(
      'invalid',
    );
    expect(outcomeOfSend('notification_messages', graph('permanent', 'suppress_user'))).toBe(
      'unknown',
    );
  });

  it('settles a lost or ambiguous answer as unknown', () => {
    const lost = { kind: 'transport', class: 'ambiguous', effect: 'none' } as const;
    expect(outcomeOfSend('otn', lost)).toBe('unknown');
    expect(outcomeOfSend('otn', graph('ambiguous', 'none'))).toBe('unknown');
    expect(outcomeOfSend('notification_messages', lost)).toBe('unknown');
  });
});

describe('parseOptin', () => {
  const envelope = {
    sender: { id: '6543210987654321' },
    recipient: { id: '104857600000001' },
    timestamp: Date.parse('2026-11-20T10:00:00Z'),
  };

  it('reads a one-time-notification opt-in: token, topic, expiry a year on', () => {
    const change = parseOptin(
      {
        ...envelope,
        optin: { type: 'one_time_notif_req', payload: 'restock', one_time_notif_token: 'T1' },
      },
      received,
    );
    expect(change).toEqual({
      action: 'store',
      token: {
        kind: 'otn',
        value: 'T1',
        topic: 'restock',
        optedInAt: at('2026-11-20T10:00:00Z'),
        expiresAt: at('2027-11-20T10:00:00Z'),
      },
    });
  });

  it('reads a marketing-message opt-in with its frequency, timezone, expiry and token status', () => {
    const change = parseOptin(
      {
        ...envelope,
        optin: {
          type: 'notification_messages',
          payload: 'deals',
          notification_messages_token: 'N1',
          notification_messages_frequency: 'WEEKLY',
          notification_messages_timezone: 'Europe/Paris',
          token_expiry_timestamp: Date.parse('2027-05-20T10:00:00Z'),
          user_token_status: 'NOT_REFRESHED',
          title: 'Weekly deals',
        },
      },
      received,
    );
    expect(change).toEqual({
      action: 'store',
      token: {
        kind: 'notification_messages',
        value: 'N1',
        topic: 'deals',
        optedInAt: at('2026-11-20T10:00:00Z'),
        expiresAt: at('2027-05-20T10:00:00Z'),
        frequency: 'WEEKLY',
        timezone: 'Europe/Paris',
        userTokenStatus: 'NOT_REFRESHED',
        title: 'Weekly deals',
      },
    });
  });

  it('reads an expiry given in Unix seconds as well as milliseconds', () => {
    const change = parseOptin(
      {
        ...envelope,
        optin: {
          type: 'notification_messages',
          notification_messages_token: 'N1',
          token_expiry_timestamp: Date.parse('2027-05-20T10:00:00Z') / 1000,
        },
      },
      received,
    );
    expect(change?.token?.expiresAt).toEqual(at('2027-05-20T10:00:00Z'));
  });

  it('reads STOP and RESUME NOTIFICATIONS as status changes', () => {
    const status = (value: string) =>
      parseOptin(
        {
          ...envelope,
          optin: {
            type: 'notification_messages',
            payload: 'deals',
            notification_messages_status: value,
          },
        },
        received,
      );
    expect(status('STOP NOTIFICATIONS')).toEqual({ action: 'status', to: 'stopped' });
    expect(status('RESUME NOTIFICATIONS')).toEqual({ action: 'status', to: 'active' });
  });

  it('has nothing for plugin opt-ins, unknown types or missing tokens', () => {
    expect(parseOptin({ ...envelope, optin: { ref: 'x', user_ref: 'u1' } }, received)).toBe(
      undefined,
    );
    expect(parseOptin({ ...envelope, optin: { type: 'one_time_notif_req' } }, received)).toBe(
      undefined,
    );
    expect(parseOptin({ ...envelope, message: { text: 'hi' } }, received)).toBe(undefined);
  });

  it('falls back to the time received when the event has no timestamp', () => {
    const change = parseOptin(
      { optin: { type: 'one_time_notif_req', one_time_notif_token: 'T' } },
      received,
    );
    expect(change?.token?.optedInAt).toEqual(received);
  });
});
