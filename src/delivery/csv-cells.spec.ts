import { parse } from 'csv-parse/sync';
import { csvRow, type CsvCell } from './csv-cells';

describe('csvRow', () => {
  it.each<[string, CsvCell[], string]>([
    ['plain cells', ['a', 'b', 'c'], 'a,b,c'],
    ['an empty row', [], ''],
    ['null and undefined as empty cells', [null, 'x', undefined], ',x,'],
    ['an empty string', ['', 'x'], ',x'],
    ['numbers as numbers', [0, 42, 3.5, -7], '0,42,3.5,-7'],
    ['booleans', [true, false], 'true,false'],
    [
      'a date in ISO 8601',
      [new Date(Date.UTC(2026, 10, 29, 13, 5, 9, 12))],
      '2026-11-29T13:05:09.012Z',
    ],
    ['an invalid date as empty', [new Date(Number.NaN), 'x'], ',x'],
    ['a comma quoted', ['a,b', 'c'], '"a,b",c'],
    ['quotes doubled inside quotes', ['say "hi"'], '"say ""hi"""'],
    ['a quoted word', ['"quoted"'], '"""quoted"""'],
    ['a newline quoted', ['line 1\nline 2'], '"line 1\nline 2"'],
    ['a CRLF quoted', ['a\r\nb'], '"a\r\nb"'],
    ['a lone quote', ['"'], '""""'],
    [
      '=HYPERLINK neutralised and quoted',
      ['=HYPERLINK("http://x")'],
      '"\'=HYPERLINK(""http://x"")"',
    ],
    ['= neutralised', ['=1+1'], "'=1+1"],
    ['+ neutralised', ['+33 6 12 34 56 78'], "'+33 6 12 34 56 78"],
    ['- in text neutralised', ['-2+3'], "'-2+3"],
    ['@ neutralised', ['@SUM(A1:A9)'], "'@SUM(A1:A9)"],
    ['a leading tab neutralised', ['\t=1'], "'\t=1"],
    ['a leading carriage return neutralised and quoted', ['\r=1'], '"\'\r=1"'],
    [
      'a formula character later in the text left alone',
      ['a=b', 'x-y', 'me@example.com'],
      'a=b,x-y,me@example.com',
    ],
    [
      'a mixed row',
      ['6543210987654321', 'sent', 2, null, '=cmd|" /C calc"!A0'],
      '6543210987654321,sent,2,,"\'=cmd|"" /C calc""!A0"',
    ],
  ])('%s', (_, cells, expected) => {
    expect(csvRow(cells)).toBe(`${expected}\r\n`);
  });

  it('reads back through an RFC 4180 parser, cell for cell', () => {
    const rows: CsvCell[][] = [
      ['psid', 'status', 'error'],
      ['1', 'failed', 'a, b and "c"\nsecond line'],
      ['2', '=1+1', null],
    ];
    const parsed = parse(rows.map(csvRow).join(''), { record_delimiter: '\r\n' });
    expect(parsed).toEqual([
      ['psid', 'status', 'error'],
      ['1', 'failed', 'a, b and "c"\nsecond line'],
      ['2', "'=1+1", ''],
    ]);
  });
});
