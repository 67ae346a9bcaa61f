import { readImportRows } from '../../../../shared/domain/imports/import-rows.js';
import { ImportFileError, splitImportFile } from '../../../../scripts/blocklist/split.js';

/** The command line's splitting of an import file into uploads the service takes. */

const encode = (text: string) => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const phone = (index: number) => `+42072${String(index).padStart(7, '0')}`;

describe('splitImportFile', () => {
  it('sends a file within the limits as it is, in one upload', () => {
    const file = encode('phone,action,reason\n+420777123456,block,x\n');

    expect(splitImportFile(file)).toEqual([{ index: 0, body: file, rows: 1, lineOffset: 0, firstLine: 2, lastLine: 2 }]);
  });

  it('splits by rows, each upload with the header, and maps each upload\'s lines back to the file\'s', () => {
    // prepare: 7 rows, one of them over two lines, an empty line, and an invalid row at the end
    const text = [
      'phone,action,reason',
      `${phone(1)},block,a`,
      `${phone(2)},block,"two`,
      'lines"',
      '',
      `${phone(3)},block,c`,
      `${phone(4)},block,d`,
      `${phone(5)},block,e`,
      `${phone(6)},block,f`,
      'bad,block,g',
    ].join('\r\n');

    // act
    const uploads = splitImportFile(encode(text), { rows: 3, bytes: 1024 });

    // assess: every upload starts with the header and the file's rows follow, byte for byte
    expect(uploads.map(({ rows, firstLine, lastLine }) => [rows, firstLine, lastLine])).toEqual([
      [3, 2, 6],
      [3, 7, 9],
      [1, 10, 10],
    ]);
    expect(uploads.every((upload) => decode(upload.body).startsWith('phone,action,reason\r\n'))).toBe(true);
    expect(uploads.map((upload) => decode(upload.body).slice('phone,action,reason\r\n'.length)).join('')).toBe(text.slice('phone,action,reason\r\n'.length));
    // assess: the service's lines of each upload, mapped back, are the file's
    const lines = uploads.flatMap((upload) => {
      const { valid, invalid } = readImportRows(upload.body);
      return [...valid, ...invalid].map(({ line }) => line + upload.lineOffset);
    });
    expect(lines.sort((a, b) => a - b)).toEqual([2, 3, 6, 7, 8, 9, 10]);
  });

  it('splits by bytes, counting the header in each upload', () => {
    const rows = Array.from({ length: 10 }, (_, index) => `${phone(index)},block,${'x'.repeat(80)}`);
    const file = encode(['phone,action,reason', ...rows].join('\n'));

    const uploads = splitImportFile(file, { rows: 10_000, bytes: 400 });

    expect(uploads.every((upload) => upload.body.length <= 400)).toBe(true);
    expect(uploads.reduce((sum, upload) => sum + upload.rows, 0)).toBe(10);
    expect(uploads.map((upload) => upload.rows)).toEqual([3, 3, 3, 1]);
  });

  it('does not count blank rows, as the service does not', () => {
    const file = encode(`phone,action,reason\n${phone(1)},block,a\n,,\n${phone(2)},block,b\n ,\n${phone(3)},block,c\n`);

    expect(splitImportFile(file, { rows: 2, bytes: 1024 }).map((upload) => [upload.rows, upload.firstLine, upload.lastLine])).toEqual([
      [2, 2, 5],
      [1, 6, 6],
    ]);
  });

  it('sends a header alone as one upload of no rows', () => {
    expect(splitImportFile(encode('phone,action,reason'))).toMatchObject([{ rows: 0, lineOffset: 0 }]);
  });

  it.each([
    ['a wrong header', 'number,action,reason\n+420777123456,block,x', 'Line 1 must be the header phone,action,reason (further columns may follow)'],
    ['unbalanced quotes', 'phone,action,reason\n+420777123456,block,x\n+420777123457,block,"open', 'Line 3 opens a quoted field that is never closed'],
    ['a row larger than an upload', `phone,action,reason\n+420777123456,block,${'x'.repeat(600)}`, 'Line 2 is a row larger than an upload may be (512 bytes with the header)'],
  ])('refuses %s before sending anything', (_label, text, message) => {
    expect(() => splitImportFile(encode(text), { rows: 10, bytes: 512 })).toThrow(new ImportFileError(message));
  });
});
