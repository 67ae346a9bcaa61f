import { jest } from '@jest/globals';
import { ApiError } from '../../../web/src/api/api-error.js';
import { ConsentApi } from '../../../web/src/api/consent-api.js';

/**
 * The console's API client, with `fetch` answered in the test: what it sends, and how each failure
 * becomes an ApiError the console can put into words.
 */

type Call = { url: string; init: RequestInit };
const calls: Call[] = [];
let answer: () => Promise<Response>;
const realFetch = globalThis.fetch;

beforeEach(() => {
  calls.length = 0;
  answer = async () => Response.json({ ok: true });
  globalThis.fetch = jest.fn(async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    return answer();
  }) as typeof fetch;
});

afterAll(() => {
  globalThis.fetch = realFetch;
});

const problem = (status: number, detail: string) =>
  new Response(JSON.stringify({ type: 'about:blank', title: 'x', status, detail }), { status, headers: { 'content-type': 'application/problem+json' } });

describe('requests', () => {
  it('encodes path parts, sends the bearer token, and strips a trailing slash from the base URL', async () => {
    // prepare
    const api = new ConsentApi('https://api.example.com/', () => 'token-1');

    // act
    await api.number('+420777123456');
    await api.profileHistory('team/a b', 'cursor+1');

    // assess
    expect(calls.map((call) => call.url)).toEqual([
      'https://api.example.com/numbers/%2B420777123456',
      'https://api.example.com/profiles/team%2Fa%20b/whatsapp/history?limit=20&cursor=cursor%2B1',
    ]);
    expect((calls[0]!.init.headers as Record<string, string>)['authorization']).toBe('Bearer token-1');
  });

  it('sends a change as JSON with its reason and Idempotency-Key', async () => {
    // prepare
    const api = new ConsentApi('', async () => 'token-1');

    // act
    await api.change({ profileId: 'p-1', phone: '+420777123456', action: 'unblock', reason: 'Asked again' }, 'key-1');

    // assess
    expect(calls[0]!.url).toBe('/profiles/p-1/whatsapp/%2B420777123456/unblock');
    expect(calls[0]!.init.method).toBe('POST');
    expect(calls[0]!.init.body).toBe('{"reason":"Asked again"}');
    expect(calls[0]!.init.headers).toMatchObject({ 'content-type': 'application/json', 'idempotency-key': 'key-1' });
  });

  it('reads the held and unresolved lists a page at a time, and sends a release or discard with its numbers and reason', async () => {
    // prepare
    const api = new ConsentApi('', () => 'token-1');

    // act
    await api.heldBlocks(null);
    await api.unresolved('next/1');
    await api.releaseHeld(['+420777123456', '+420777123457'], 'Outage is over');
    await api.discardHeld(['+420777123458'], 'Provider outage');

    // assess
    expect(calls.map((call) => [call.init.method, call.url, call.init.body])).toEqual([
      ['GET', '/blocklist/held?limit=50', undefined],
      ['GET', '/blocklist/unresolved?limit=50&cursor=next%2F1', undefined],
      ['POST', '/blocklist/held/release', '{"phones":["+420777123456","+420777123457"],"reason":"Outage is over"}'],
      ['POST', '/blocklist/held/discard', '{"phones":["+420777123458"],"reason":"Provider outage"}'],
    ]);
  });

  it('reads the blocklist with its filters a page at a time', async () => {
    // prepare
    const api = new ConsentApi('', () => 'token-1');

    // act
    await api.blocklist({});
    await api.blocklist({ changedAfter: '2026-03-01T09:30:00.000Z', source: 'automatic' }, 'next/1');

    // assess
    expect(calls.map((call) => call.url)).toEqual([
      '/blocklist?limit=50',
      '/blocklist?source=automatic&changedAfter=2026-03-01T09%3A30%3A00.000Z&limit=50&cursor=next%2F1',
    ]);
  });

  it('downloads the blocklist as CSV, page after page by the Link header, under one header row', async () => {
    // prepare
    const header = 'phone,source,reason,reasonCode,updatedAt,updatedBy\r\n';
    const pages = [
      new Response(`${header}+420777000001,manual,asked,,2026-03-01T09:30:00.000Z,erin\r\n`, {
        headers: { 'content-type': 'text/csv', link: '</blocklist?source=manual&limit=1000&cursor=c1>; rel="next"' },
      }),
      new Response(`${header}+420777000002,manual,asked,,2026-03-01T09:29:00.000Z,erin\r\n`, { headers: { 'content-type': 'text/csv' } }),
    ];
    answer = async () => pages.shift()!;
    const api = new ConsentApi('https://api.example.com', () => 'token-1');

    // act
    const csv = await api.blocklistCsv({ source: 'manual' });

    // assess
    expect(csv).toBe(`${header}+420777000001,manual,asked,,2026-03-01T09:30:00.000Z,erin\r\n+420777000002,manual,asked,,2026-03-01T09:29:00.000Z,erin\r\n`);
    expect(calls.map((call) => call.url)).toEqual([
      'https://api.example.com/blocklist?source=manual&limit=1000',
      'https://api.example.com/blocklist?source=manual&limit=1000&cursor=c1',
    ]);
    expect(calls[0]!.init.headers).toMatchObject({ accept: 'text/csv', authorization: 'Bearer token-1' });
  });

  it('reads on past a CSV page with no number whose Link names a next page', async () => {
    // prepare: the service searched part of the list and found nothing there
    const header = 'phone,source,reason,reasonCode,updatedAt,updatedBy\r\n';
    const pages = [
      new Response(header, { headers: { 'content-type': 'text/csv', link: '</blocklist?reasonCode=130403&limit=1000&cursor=c1>; rel="next"' } }),
      new Response(`${header}+420777000002,automatic,undeliverable,130403,2026-03-01T09:29:00.000Z,whatsapp:1\r\n`, { headers: { 'content-type': 'text/csv' } }),
    ];
    answer = async () => pages.shift()!;

    // act
    const csv = await new ConsentApi('', () => 'token-1').blocklistCsv({ reasonCode: '130403' });

    // assess
    expect(csv).toBe(`${header}+420777000002,automatic,undeliverable,130403,2026-03-01T09:29:00.000Z,whatsapp:1\r\n`);
    expect(calls.map((call) => call.url)).toEqual(['/blocklist?reasonCode=130403&limit=1000', '/blocklist?reasonCode=130403&limit=1000&cursor=c1']);
  });

  it('refuses to give half a list when another origin hides the Link header of a full page', async () => {
    // prepare: a page of a thousand numbers, and no Link the browser lets the console read
    const rows = Array.from({ length: 1000 }, (_, index) => `+420777${String(index).padStart(6, '0')},manual,asked,,2026-03-01T09:30:00.000Z,erin\r\n`);
    answer = async () => {
      const response = new Response(`phone,source,reason,reasonCode,updatedAt,updatedBy\r\n${rows.join('')}`, { headers: { 'content-type': 'text/csv' } });
      Object.defineProperty(response, 'type', { value: 'cors' });
      return response;
    };

    // act, assess
    await expect(new ConsentApi('https://api.example.com', () => 't').blocklistCsv({})).rejects.toMatchObject({
      message: 'The service did not say where the rest of the list is, so the file would be incomplete.',
    });
  });

  it('calls nothing when nobody is signed in, and says so as unauthorized', async () => {
    const api = new ConsentApi('', () => undefined);

    await expect(api.profile('p-1')).rejects.toMatchObject({ kind: 'unauthorized' });
    expect(calls).toEqual([]);
  });
});

describe('failures', () => {
  it.each([
    [401, 'unauthorized'],
    [403, 'forbidden'],
    [404, 'not-found'],
    [400, 'invalid'],
    [413, 'invalid'],
    [422, 'conflict'],
    [503, 'unavailable'],
    [500, 'server'],
  ])('a %i is %s, with the problem detail as message', async (status, kind) => {
    answer = async () => problem(status, `detail of ${status}`);
    const error = await new ConsentApi('', () => 't').profile('p').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ kind, status, message: `detail of ${status}` });
  });

  it('names the status when the answer is not a problem document', async () => {
    answer = async () => new Response('<html>bad gateway</html>', { status: 502 });
    await expect(new ConsentApi('', () => 't').profile('p')).rejects.toMatchObject({ kind: 'server', message: 'The service answered 502.' });
  });

  it('turns a refused connection and a timeout into network errors', async () => {
    answer = async () => {
      throw new TypeError('fetch failed');
    };
    await expect(new ConsentApi('', () => 't').profile('p')).rejects.toMatchObject({ kind: 'network', message: 'The service could not be reached.' });

    answer = async () => {
      throw new DOMException('timed out', 'TimeoutError');
    };
    await expect(new ConsentApi('', () => 't').profile('p')).rejects.toMatchObject({ kind: 'network', message: 'The service did not answer in time.' });
  });
});
