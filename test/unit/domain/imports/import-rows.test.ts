import { InvalidInputError } from '../../../../shared/domain/errors.js';
import { MAX_IMPORT_ROWS, readImportRows } from '../../../../shared/domain/imports/import-rows.js';

const HEADER = 'phone,action,reason';
const csv = (...lines: string[]) => new TextEncoder().encode(lines.join('\n'));

/** The 400 a file raises: its `errors`, or a failure when it raises nothing or something else. */
function refusal(bytes: Uint8Array) {
  try {
    readImportRows(bytes);
  } catch (error) {
    if (error instanceof InvalidInputError) return error.errors;
    throw error;
  }
  throw new Error('the file was not refused');
}

describe('readImportRows', () => {
  it('reads valid rows with their lines, numbers in E.164 and actions as written in any case', () => {
    const file = csv(HEADER, '+420 777 123 456,block,Asked by phone', '0041791234567,Unblock,  Wrong number  ', '');

    expect(readImportRows(file)).toEqual({
      rows: 2,
      valid: [
        { line: 2, phone: '+420777123456', action: 'block', reason: 'Asked by phone' },
        { line: 3, phone: '+41791234567', action: 'unblock', reason: 'Wrong number' },
      ],
      invalid: [],
    });
  });

  it('takes a header only as an import of no rows', () => {
    expect(readImportRows(csv(HEADER))).toEqual({ rows: 0, valid: [], invalid: [] });
  });

  describe('line numbers', () => {
    it('are where a row starts, when a quoted cell carries a row over several lines', () => {
      const file = csv(HEADER, '+420777123456,block,"first line', 'second line', 'third line"', '+420777123457,block,next', '+420777123458,nonsense,"a', 'b"');

      const { valid, invalid } = readImportRows(file);

      expect(valid.map(({ line, reason }) => [line, reason])).toEqual([
        [2, 'first line\nsecond line\nthird line'],
        [5, 'next'],
      ]);
      expect(invalid).toEqual([{ line: 6, message: 'action must be block or unblock' }]);
    });

    it('count a CRLF inside a quoted cell once, as a spreadsheet writes it, and skip empty lines and a byte order mark', () => {
      const file = new TextEncoder().encode(`\ufeff${HEADER}\r\n\r\n+420777123456,block,"one\r\ntwo"\r\n\r\n\r\n+420777123457,block,x\r\n`);

      expect(readImportRows(file).valid.map(({ line }) => line)).toEqual([3, 7]);
    });

    it('count a lone CR as a line break, as the reader does', () => {
      const file = new TextEncoder().encode(`${HEADER}\r+420777123456,block,"a\rb"\r+420777123457,block,c\r`);

      expect(readImportRows(file).valid.map(({ line }) => line)).toEqual([2, 4]);
    });
  });

  describe('the header', () => {
    it('may carry further columns, in any case and with spaces, and their cells are ignored', () => {
      const file = csv(' Phone , ACTION,Reason,source,updatedAt', '+420777123456,block,exported,manual,2025-01-02T03:04:05.000Z');

      expect(readImportRows(file).valid).toEqual([{ line: 2, phone: '+420777123456', action: 'block', reason: 'exported' }]);
    });

    it.each([
      ['a missing column', 'phone,action'],
      ['columns in another order', 'action,phone,reason'],
      ['no header at all', '+420777123456,block,x'],
      ['another name', 'number,action,reason'],
    ])('refuses %s with a 400 naming line 1', (_label, header) => {
      expect(refusal(csv(header, '+420777123456,block,x'))).toEqual([
        { field: 'body.line.1', message: 'must be the header phone,action,reason (further columns may follow)' },
      ]);
    });

    it('names the line the header is on, after empty lines', () => {
      expect(refusal(csv('', '', 'phone;action;reason'))).toEqual([{ field: 'body.line.3', message: expect.stringContaining('must be the header') }]);
    });

    it.each([['an empty file', ''], ['only empty lines', '\n\r\n\n']])('refuses %s with a 400', (_label, text) => {
      expect(refusal(new TextEncoder().encode(text))).toEqual([
        { field: 'body', message: 'must be a CSV file whose first line is the header phone,action,reason' },
      ]);
    });
  });

  describe('rows', () => {
    it.each([
      ['+420777123', 'phone is not a valid international phone number'],
      ['call me at +420 777 123 456', 'phone is not a valid international phone number'],
      ['+420 777 123 456 ext. 12', 'phone must not carry an extension'],
      ['', 'phone is required'],
    ])('refuses the phone %j: %s', (phone, message) => {
      expect(readImportRows(csv(HEADER, `${phone},block,x`)).invalid).toEqual([{ line: 2, message }]);
    });

    it.each([
      ['+420777123456,blocked,x', 'action must be block or unblock'],
      ['+420777123456,,x', 'action is required'],
      ['+420777123456,block,', 'reason must not be empty or only white space'],
      ['+420777123456,block,"   "', 'reason must not be empty or only white space'],
      ['+420777123456,block', 'reason is required'],
      ['+420777123456', 'action is required; reason is required'],
      ['oops,stop,', 'phone is not a valid international phone number; action must be block or unblock; reason must not be empty or only white space'],
    ])('words every problem of %j after its column', (row, message) => {
      expect(readImportRows(csv(HEADER, row)).invalid).toEqual([{ line: 2, message }]);
    });

    it('counts a reason in Unicode code points after trimming and NFC: 500 emoji pass, 501 do not', () => {
      const file = csv(HEADER, `+420777123456,block,  ${'😀'.repeat(500)}  `, `+420777123457,block,${'😀'.repeat(501)}`);

      const { valid, invalid } = readImportRows(file);

      expect(valid.map(({ line, reason }) => [line, [...reason].length])).toEqual([[2, 500]]);
      expect(invalid).toEqual([{ line: 3, message: 'reason must be at most 500 characters' }]);
    });

    it('keeps reasons in any script, composed to NFC', () => {
      const decomposed = 'Zákazník si nepřeje'.normalize('NFD');
      const file = csv(HEADER, `+420777123456,block,${decomposed}`, '+420777123457,block,顧客の依頼 🙏', '+420777123458,block,"طلب العميل"');

      expect(readImportRows(file).valid.map(({ reason }) => reason)).toEqual(['Zákazník si nepřeje'.normalize('NFC'), '顧客の依頼 🙏', 'طلب العميل']);
    });

    it.each([
      '=HYPERLINK("http://evil.example","click")',
      "+cmd|' /C calc'!A0",
      '-2+3+cmd|\' /C calc\'!A0',
      '@SUM(1+1)*cmd|\' /C calc\'!A0',
      '<script>alert(1)</script>',
      "'; DROP TABLE consent; --",
    ])('keeps the formula or injection %j as the text it is', (reason) => {
      const quoted = `"${reason.replaceAll('"', '""')}"`;

      expect(readImportRows(csv(HEADER, `+420777123456,block,${quoted}`)).valid).toEqual([{ line: 2, phone: '+420777123456', action: 'block', reason }]);
    });

    it('skips rows whose cells are all blank, without counting them', () => {
      const file = csv(HEADER, ',,', '+420777123456,block,x', '  ,  ,  ', ',,,');

      expect(readImportRows(file)).toEqual({ rows: 1, valid: [expect.objectContaining({ line: 3 })], invalid: [] });
    });
  });

  describe('duplicates', () => {
    it('reports a row identical to the previous row of the same number, naming the row it repeats; the first stands', () => {
      const file = csv(
        HEADER,
        '+420777123456,block,Asked by phone',
        '00420 777 123 456,block, Asked by phone ',
        '+420777123457,block,Asked by phone',
        '420777123456,BLOCK,Asked by phone',
        '+420777123456,unblock,Asked by phone',
        '+420777123456,block,Asked by e-mail',
      );

      const { rows, valid, invalid } = readImportRows(file);

      expect(rows).toBe(6);
      expect(valid.map(({ line }) => line)).toEqual([2, 4, 6, 7]);
      expect(invalid).toEqual([
        { line: 3, message: 'repeats line 2 (the same phone, action and reason)' },
        { line: 5, message: 'repeats line 2 (the same phone, action and reason)' },
      ]);
    });

    it('takes block, unblock, block of one number with one reason as three decisions: no row repeats another', () => {
      const file = csv(HEADER, '+420777123456,block,Asked by phone', '+420777123456,unblock,Asked by phone', '+420777123456,block,Asked by phone');

      const { valid, invalid } = readImportRows(file);

      expect(invalid).toEqual([]);
      expect(valid.map(({ action }) => action)).toEqual(['block', 'unblock', 'block']);
    });
  });

  describe('limits', () => {
    const rowsOf = (count: number) => Array.from({ length: count }, (_, index) => `+42072${String(index).padStart(7, '0')},block,limit`);

    it(`takes ${MAX_IMPORT_ROWS.toLocaleString('en')} rows, and blank rows beyond them`, () => {
      const result = readImportRows(csv(HEADER, ...rowsOf(MAX_IMPORT_ROWS), ',,', ''));

      expect(result.rows).toBe(MAX_IMPORT_ROWS);
      expect(result.valid).toHaveLength(MAX_IMPORT_ROWS);
      expect(result.valid.at(-1)?.line).toBe(MAX_IMPORT_ROWS + 1);
    });

    it(`refuses ${(MAX_IMPORT_ROWS + 1).toLocaleString('en')} rows with a 400`, () => {
      expect(refusal(csv(HEADER, ...rowsOf(MAX_IMPORT_ROWS + 1)))).toEqual([
        { field: 'body', message: 'must have at most 10,000 rows after the header; it has 10,001' },
      ]);
    });
  });

  describe('a file that is not CSV', () => {
    it('refuses a quote that never closes with a 400 naming the line its row starts on', () => {
      const file = csv(HEADER, '+420777123456,block,fine', '+420777123457,block,"never closed', '+420777123458,block,x', '+420777123459,block,y');

      expect(refusal(file)).toEqual([{ field: 'body.line.3', message: 'opens a quoted field that is never closed' }]);
    });

    it('names the row where an unbalanced quote opened, not where the reader gave up', () => {
      const file = csv(HEADER, '+420777123456,block,fine', '+420777123457,block,"opened here', '+420777123458,block,"x",y');

      expect(refusal(file)).toEqual([{ field: 'body.line.3', message: expect.stringContaining('has a quote inside a field') }]);
    });

    it('refuses a quote inside a field that is not quoted', () => {
      const file = csv(HEADER, '+420777123456,block,say "stop" please');

      expect(refusal(file)).toEqual([{ field: 'body.line.2', message: expect.stringContaining('has a quote inside a field that is not quoted as a whole') }]);
    });

    it('refuses bytes that are not UTF-8', () => {
      const latin1 = Uint8Array.from([...new TextEncoder().encode(`${HEADER}\n+420777123456,block,`), 0xe9, 0x0a]);

      expect(refusal(latin1)).toEqual([{ field: 'body', message: 'must be UTF-8 text' }]);
    });
  });
});
