import fc from 'fast-check';
import { ApiError } from '../../../web/src/api/api-error.js';
import {
  blocklistProblem,
  csvRecordCount,
  emptyMessage,
  filterFromForm,
  filterFromQuery,
  filterQuery,
  isoFromLocalInput,
  localInputFromIso,
  nextLinkQuery,
  shownSummary,
  withoutCsvHeader,
} from '../../../web/src/model/blocklist.js';
import { consoleHref, routeOf } from '../../../web/src/routes.js';

/** The blocked numbers page: its filters in the address, the form and the API's query, and its words. */

/** A moment of the test's own time zone, the browser's in the console, as an ISO instant. */
const local = (...parts: [number, number, number, number, number, number?, number?]) => new Date(...parts).toISOString();

describe('the filters in the address', () => {
  it('reads the three filters from a query, trimmed, leaving out empty ones and other parameters', () => {
    expect(filterFromQuery('?source=automatic&reasonCode=%20131026%20&changedAfter=&limit=5&cursor=x')).toEqual({
      source: 'automatic',
      reasonCode: '131026',
    });
    expect(filterFromQuery('')).toEqual({});
  });

  it('keeps values the API will refuse, so that it can say what is wrong with them', () => {
    expect(filterFromQuery('source=everyone&reasonCode=abc&changedAfter=yesterday')).toEqual({
      source: 'everyone',
      reasonCode: 'abc',
      changedAfter: 'yesterday',
    });
  });

  it('writes them in a fixed order, whatever order they were given in', () => {
    expect(filterQuery({ changedAfter: '2026-03-01T09:30:00.000Z', reasonCode: '131026', source: 'manual' }).toString()).toBe(
      'source=manual&reasonCode=131026&changedAfter=2026-03-01T09%3A30%3A00.000Z',
    );
    expect(filterQuery({ source: ' ', reasonCode: '' }).toString()).toBe('');
  });

  it('reads back the filters a query was written from', () => {
    const filter = fc.record(
      { source: fc.constantFrom('manual', 'automatic', 'recipient'), reasonCode: fc.stringMatching(/^\d{1,9}$/), changedAfter: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) },
      { requiredKeys: [] },
    );
    fc.assert(fc.property(filter, (given) => expect(filterFromQuery(filterQuery(given))).toEqual(given)));
  });
});

describe('the page route', () => {
  it.each([
    ['/console/blocklist', '', { page: 'blocklist', filter: {} }],
    ['/console/blocklist/', '?source=automatic', { page: 'blocklist', filter: { source: 'automatic' } }],
    ['/console/blocklist', '?reasonCode=131026&changedAfter=2026-03-01T00%3A00%3A00.000Z', { page: 'blocklist', filter: { reasonCode: '131026', changedAfter: '2026-03-01T00:00:00.000Z' } }],
    ['/console/blocklist/%2B420777123456', '', { page: 'not-found' }],
  ])('%s%s is %j', (path, search, route) => {
    expect(routeOf(path, search)).toEqual(route);
  });

  it('links to the list with its filters, and reads them back from the link', () => {
    expect(consoleHref.blocklist()).toBe('/console/blocklist');
    expect(consoleHref.blocklist({ source: 'automatic' })).toBe('/console/blocklist?source=automatic');
    const url = new URL(consoleHref.blocklist({ source: 'recipient', changedAfter: '2026-03-01T09:30:00.000Z' }), 'https://console.example');
    expect(routeOf(url.pathname, url.search)).toEqual({ page: 'blocklist', filter: { source: 'recipient', changedAfter: '2026-03-01T09:30:00.000Z' } });
  });
});

describe('the time of "Changed after"', () => {
  it('reads the input as a time of the browser’s zone and gives the instant in UTC', () => {
    expect(isoFromLocalInput('2026-03-01T10:30')).toBe(local(2026, 2, 1, 10, 30));
    expect(isoFromLocalInput('2026-07-01T10:30:15')).toBe(local(2026, 6, 1, 10, 30, 15));
    expect(isoFromLocalInput('2026-07-01T10:30:15.5')).toBe(local(2026, 6, 1, 10, 30, 15, 500));
  });

  it('gives nothing for an empty input or what is not a moment', () => {
    for (const value of ['', '2026-03-01', '2026-02-30T10:00', '2026-03-01T24:00', '10:30', 'yesterday']) {
      expect(isoFromLocalInput(value)).toBeUndefined();
    }
  });

  it('shows an instant in the browser’s zone, as precise as the instant', () => {
    expect(localInputFromIso(local(2026, 2, 1, 10, 30))).toBe('2026-03-01T10:30');
    expect(localInputFromIso(local(2026, 2, 1, 10, 30, 15))).toBe('2026-03-01T10:30:15');
    expect(localInputFromIso(local(2026, 2, 1, 10, 30, 15, 250))).toBe('2026-03-01T10:30:15.250');
    expect(localInputFromIso(undefined)).toBe('');
    expect(localInputFromIso('yesterday')).toBe('');
  });

  it('gives back the same instant from what it showed', () => {
    const instant = fc.date({ min: new Date('1970-01-02T00:00:00Z'), max: new Date('2999-12-30T00:00:00Z'), noInvalidDate: true });
    fc.assert(fc.property(instant, (date) => expect(isoFromLocalInput(localInputFromIso(date.toISOString()))).toBe(date.toISOString())));
  });

  it('makes the filters of the form, the time in UTC', () => {
    expect(filterFromForm({ source: 'automatic', reasonCode: ' 131026 ', changedAfterLocal: '2026-03-01T10:30' })).toEqual({
      source: 'automatic',
      reasonCode: '131026',
      changedAfter: local(2026, 2, 1, 10, 30),
    });
    expect(filterFromForm({ source: '', reasonCode: '', changedAfterLocal: '' })).toEqual({});
  });
});

describe('words', () => {
  const invalid = (errors: { field: string; message: string }[]) =>
    new ApiError('invalid', 'The request has invalid fields; see errors.', 400, { status: 400, detail: 'The request has invalid fields; see errors.', errors });

  it('names the form’s field the API refused, and what is wrong with it', () => {
    expect(blocklistProblem(invalid([{ field: 'query.reasonCode', message: 'must be a provider error code (digits)' }]))).toEqual({
      message: 'The service cannot use this filter: Error code must be a provider error code (digits).',
      fields: { reasonCode: 'Error code must be a provider error code (digits).' },
    });
    expect(
      blocklistProblem(
        invalid([
          { field: 'query.source', message: 'must be one of "manual", "automatic", "recipient"' },
          { field: 'query.changedAfter', message: 'must be a valid date and time (ISO 8601)' },
        ]),
      ).message,
    ).toBe('The service cannot use these filters: Source must be one of "manual", "automatic", "recipient". Changed after must be a valid date and time (ISO 8601).');
  });

  it('says any other failure in the console’s usual words', () => {
    expect(blocklistProblem(ApiError.network(new TypeError('x')))).toEqual({
      message: 'The blocked numbers could not be loaded. The service could not be reached. Check your connection and try again.',
      fields: {},
    });
  });

  it('says whether nothing is blocked or nothing matches, and how many are shown', () => {
    expect(emptyMessage({})).toBe('No number is blocked.');
    expect(emptyMessage({ source: 'manual' })).toBe('No blocked number matches these filters.');
    expect(shownSummary(1, false)).toBe('Showing 1 blocked number.');
  });

  it('claims neither that none matches nor that more follow while the service has only searched part of the list', () => {
    // A page with a next cursor may be short, or empty, and the last with numbers.
    expect(emptyMessage({ source: 'manual' }, true)).toBe('No number matching these filters found yet: the service has searched part of the list.');
    expect(emptyMessage({}, true)).toBe('No blocked number found yet: the service has searched part of the list.');
    expect(shownSummary(50, true)).toBe('Showing the newest 50 blocked numbers; there may be more.');
  });
});

describe('the CSV download', () => {
  const csv = 'phone,source,reason,reasonCode,updatedAt,updatedBy\r\n+420777000001,manual,"two\r\nlines, and ""quotes""",,2026-03-01T09:30:00.000Z,erin\r\n';

  it('counts records, not line breaks inside quoted cells', () => {
    expect(csvRecordCount(csv)).toBe(2);
    expect(csvRecordCount('a,b')).toBe(1);
    expect(csvRecordCount('')).toBe(0);
  });

  it('drops the header of a later page', () => {
    expect(withoutCsvHeader(csv)).toBe('+420777000001,manual,"two\r\nlines, and ""quotes""",,2026-03-01T09:30:00.000Z,erin\r\n');
    expect(withoutCsvHeader('phone,source')).toBe('');
  });

  it('finds the next page’s query in a Link header', () => {
    expect(nextLinkQuery('</blocklist?source=manual&limit=1000&cursor=abc%3D>; rel="next"')).toBe('source=manual&limit=1000&cursor=abc%3D');
    expect(nextLinkQuery('<https://api.example.com/v1/blocklist?cursor=c>; rel=next')).toBe('cursor=c');
    expect(nextLinkQuery('</blocklist?cursor=p>; rel="prev", </blocklist?cursor=n>; rel="next"')).toBe('cursor=n');
    expect(nextLinkQuery('</blocklist?cursor=p>; rel="prev"')).toBeUndefined();
    expect(nextLinkQuery(null)).toBeUndefined();
  });
});
