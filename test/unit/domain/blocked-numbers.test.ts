import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { BLOCKLIST_CSV_COLUMNS, blocklistCsv, type BlockedNumber } from '../../../shared/domain/blocked-numbers.js';
import { e164 } from '../support/samples.js';

const blocked = (reason: string): BlockedNumber => ({
  phone: e164('+420777123456'),
  source: 'manual',
  reason,
  reasonCode: undefined,
  updatedAt: '2026-11-27T10:00:00.000Z',
  updatedBy: 'erin',
  updatedBySender: null,
});

/** The reason cell of the single row, as the CSV text spells it. */
const reasonAsWritten = (csv: string) => csv.slice(csv.indexOf('+420777123456,manual,') + '+420777123456,manual,'.length, csv.lastIndexOf(',,2026-'));

describe('blocklistCsv', () => {
  it('writes the header row, then a row per number, with CRLF line ends', () => {
    const csv = blocklistCsv([blocked('plain')]);

    expect(csv).toBe(`${BLOCKLIST_CSV_COLUMNS.join(',')}\r\n+420777123456,manual,plain,,2026-11-27T10:00:00.000Z,erin\r\n`);
  });

  it.each([
    ['a line feed', 'a\n=cmd|\' /C calc\'!A0'],
    ['a carriage return', 'a\r=cmd|\' /C calc\'!A0'],
    ['a semicolon, a cell end where lists are separated by semicolons', 'ok;=cmd|\' /C calc\'!A0'],
    ['a tab', 'ok\t=cmd|\' /C calc\'!A0'],
  ])('quotes a reason with %s, so that what follows cannot open a cell of its own', (_label, reason) => {
    const csv = blocklistCsv([blocked(reason)]);

    expect(reasonAsWritten(csv)).toBe(`"${reason}"`);
    expect(parse(csv, { columns: true })).toEqual([expect.objectContaining({ reason })]);
  });

  it.each([
    ['=SUM(A1:A2)'],
    ['+1+1'],
    ['-1+1'],
    ['@SUM(A1)'],
    ['\t=1+1'],
    ['\r=1+1'],
  ])('neutralises the formula cell %j with a leading apostrophe', (reason) => {
    expect(parse(blocklistCsv([blocked(reason)]), { columns: true })).toEqual([expect.objectContaining({ reason: `'${reason}` })]);
  });

  it('reads back as the cells it was given, and quotes every cell that holds a separator of any locale', () => {
    const separators = fc.constantFrom('\n', '\r', '\r\n', ';', '\t', ',', '"', '=', '+', '-', '@', ' ');
    const reasons = fc.array(fc.oneof(separators, fc.string({ unit: 'grapheme', maxLength: 4 })), { maxLength: 12 }).map((parts) => parts.join(''));

    fc.assert(
      fc.property(reasons, (reason) => {
        const csv = blocklistCsv([blocked(reason)]);
        const cell = /^[=+\-@\t\r]/.test(reason) ? `'${reason}` : reason;

        expect(parse(csv, { columns: true })).toEqual([expect.objectContaining({ phone: '+420777123456', reason: cell, updatedBy: 'erin' })]);
        if (/[\r\n;\t,"]/.test(cell)) expect(reasonAsWritten(csv)).toBe(`"${cell.replaceAll('"', '""')}"`);
      }),
      { numRuns: 500 },
    );
  });
});
