import { detectDelimiter, mapRow, MAX_ROW_BYTES, planHeader, type HeaderPlan } from './csv-columns';

const now = new Date('2026-11-23T12:00:00Z');
const comma = { decimalComma: false, now };

const plan = (cells: string[]): HeaderPlan => {
  const planned = planHeader(cells);
  if ('problems' in planned) throw new Error(JSON.stringify(planned.problems));
  return planned.plan;
};

describe('planHeader', () => {
  it.each(['psid', 'PSID', 'ps_id', ' Psid '])('accepts %p as the PSID column', (header) => {
    expect(plan([header, 'city']).psidIndex).toBe(0);
  });

  it('reads built-in columns and typed attributes', () => {
    expect(
      plan([
        'first_name',
        'psid',
        'age:number',
        'vip:Boolean',
        'signed_up:date',
        'city:string',
        'last_inbound_at',
      ]).columns.map((c) => c.target),
    ).toEqual([
      { kind: 'builtIn', field: 'firstName', type: 'string' },
      { kind: 'psid' },
      { kind: 'attribute', name: 'age', type: 'number' },
      { kind: 'attribute', name: 'vip', type: 'boolean' },
      { kind: 'attribute', name: 'signed_up', type: 'date' },
      { kind: 'attribute', name: 'city', type: 'string' },
      { kind: 'builtIn', field: 'lastInboundAt', type: 'date' },
    ]);
  });

  it.each([
    [['city'], /no PSID column/],
    [['psid', 'age:int'], /unknown type "int"/],
    [['psid', 'city', 'city'], /appears twice/],
    [['psid', 'PSID'], /appears twice/],
    [['psid', ''], /no name/],
    [['psid', 'home.city'], /not a valid attribute name/],
    [['psid', '$where'], /not a valid attribute name/],
    [['psid', '__proto__'], /reserved name/],
    [['psid', 'first_name:number'], /built-in string column/],
  ])('refuses %j', (cells, reason) => {
    const planned = planHeader(cells);
    expect('problems' in planned && planned.problems.map((p) => p.reason).join()).toMatch(reason);
  });
});

describe('mapRow', () => {
  const header = plan([
    'psid',
    'first_name',
    'age:number',
    'vip:boolean',
    'signed_up:date',
    'city',
  ]);

  it('maps typed values and leaves empty cells out', () => {
    expect(mapRow(['123', 'Ana', '42', 'yes', '2026-01-15', ''], header, comma)).toEqual({
      user: {
        psid: '123',
        fields: { firstName: 'Ana' },
        attributes: { age: 42, vip: true, signed_up: new Date('2026-01-15T00:00:00Z') },
      },
    });
  });

  it('keeps a short row: missing trailing cells carry no value', () => {
    expect(mapRow(['123', 'Ana'], header, comma)).toEqual({
      user: { psid: '123', fields: { firstName: 'Ana' }, attributes: {} },
    });
  });

  it('reads a decimal comma only in ;-separated files', () => {
    expect(mapRow(['1', '', '4,5'], header, { decimalComma: true, now })).toMatchObject({
      user: { attributes: { age: 4.5 } },
    });
    expect(mapRow(['1', '', '4,5'], header, comma)).toEqual({
      problem: 'age:number: "4,5" is not a number',
    });
  });

  it.each([
    [['', 'Ana'], 'psid is missing'],
    [['12a'], 'psid must be digits'],
    [['0123'], 'psid must be digits without a leading zero'],
    [['1', 'Ana', 'old'], 'age:number: "old" is not a number'],
    [['1', 'Ana', '3', 'maybe'], 'vip:boolean: "maybe" is not a boolean (true/false, yes/no, 1/0)'],
    [['1', 'Ana', '3', 'no', '15/01/2026'], 'signed_up:date: "15/01/2026" is not an ISO 8601 date'],
    [
      ['1', 'Ana', '3', 'no', '2026-01-15', 'Lyon', 'extra'],
      'the row has 7 fields, the header has 6',
    ],
  ])('refuses %j: %s', (cells, problem) => {
    expect(mapRow(cells, header, comma)).toEqual({ problem });
  });
});

describe('mapRow: the rules every path shares', () => {
  const builtIns = plan(['psid', 'timezone', 'last_inbound_at', 'note']);

  it('refuses a time zone that is not IANA', () => {
    expect(mapRow(['1', 'Europe/Paris'], builtIns, comma)).toHaveProperty('user');
    expect(mapRow(['1', 'Paris/Moon'], builtIns, comma)).toEqual({
      problem: 'timezone: must be an IANA time zone such as Europe/Paris',
    });
  });

  it('refuses a last_inbound_at in the future beyond the clock skew', () => {
    expect(mapRow(['1', '', '2026-11-23T12:04:00Z'], builtIns, comma)).toHaveProperty('user');
    expect(mapRow(['1', '', '2099-01-01'], builtIns, comma)).toEqual({
      problem: 'last_inbound_at: must not be in the future (5 minutes of clock skew are tolerated)',
    });
  });

  it('refuses a row larger than 1 MiB before reading it', () => {
    expect(mapRow(['1', '', '', 'x'.repeat(MAX_ROW_BYTES)], builtIns, comma)).toEqual({
      problem: 'the row is larger than 1 MiB',
    });
  });

  it('refuses a row with more than 100 attributes, counting only filled cells', () => {
    const wide = plan(['psid', ...Array.from({ length: 150 }, (_, index) => `a${index}`)]);
    const cells = (filled: number) => [
      '1',
      ...Array.from({ length: 150 }, (_, index) => (index < filled ? 'v' : '')),
    ];
    expect(mapRow(cells(100), wide, comma)).toHaveProperty('user');
    expect(mapRow(cells(101), wide, comma)).toEqual({
      problem: 'the row has 101 attributes, at most 100',
    });
  });
});

describe('detectDelimiter', () => {
  it('picks ; or , by what the header holds outside quotes', () => {
    expect(detectDelimiter('psid;city;"a,b,c"')).toBe(';');
    expect(detectDelimiter('psid,city,"a;b;c;d"')).toBe(',');
    expect(detectDelimiter('psid')).toBe(',');
  });
});
