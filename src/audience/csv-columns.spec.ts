import { detectDelimiter, mapRow, planHeader, type HeaderPlan } from './csv-columns';

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
    expect(mapRow(['123', 'Ana', '42', 'yes', '2026-01-15', ''], header, false)).toEqual({
      user: {
        psid: '123',
        fields: { firstName: 'Ana' },
        attributes: { age: 42, vip: true, signed_up: new Date('2026-01-15T00:00:00Z') },
      },
    });
  });

  it('keeps a short row: missing trailing cells carry no value', () => {
    expect(mapRow(['123', 'Ana'], header, false)).toEqual({
      user: { psid: '123', fields: { firstName: 'Ana' }, attributes: {} },
    });
  });

  it('reads a decimal comma only in ;-separated files', () => {
    expect(mapRow(['1', '', '4,5'], header, true)).toMatchObject({
      user: { attributes: { age: 4.5 } },
    });
    expect(mapRow(['1', '', '4,5'], header, false)).toEqual({
      problem: 'age:number: "4,5" is not a number',
    });
  });

  it.each([
    [['', 'Ana'], 'psid is missing'],
    [['12a'], 'psid must be digits'],
    [['1', 'Ana', 'old'], 'age:number: "old" is not a number'],
    [['1', 'Ana', '3', 'maybe'], 'vip:boolean: "maybe" is not a boolean (true/false, yes/no, 1/0)'],
    [['1', 'Ana', '3', 'no', '15/01/2026'], 'signed_up:date: "15/01/2026" is not an ISO 8601 date'],
    [
      ['1', 'Ana', '3', 'no', '2026-01-15', 'Lyon', 'extra'],
      'the row has 7 fields, the header has 6',
    ],
  ])('refuses %j: %s', (cells, problem) => {
    expect(mapRow(cells, header, false)).toEqual({ problem });
  });
});

describe('detectDelimiter', () => {
  it('picks ; or , by what the header holds outside quotes', () => {
    expect(detectDelimiter('psid;city;"a,b,c"')).toBe(';');
    expect(detectDelimiter('psid,city,"a;b;c;d"')).toBe(',');
    expect(detectDelimiter('psid')).toBe(',');
  });
});
