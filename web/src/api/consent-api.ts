import { csvRecordCount, filterQuery, nextLinkQuery, withoutCsvHeader, type BlocklistFilter } from '../model/blocklist.js';
import { ApiError } from './api-error.js';
import type {
  AuditEntry,
  BlockedNumber,
  ConsentAction,
  ConsentRequest,
  Erasure,
  HeldBlock,
  HeldDiscarded,
  HeldReleased,
  NumberConsent,
  Page,
  Problem,
  ProfileConsent,
  UnresolvedPage,
} from './types.js';

/** Gives the bearer token for the next call, or `undefined` when nobody is signed in. */
export type TokenGetter = () => Promise<string | undefined> | string | undefined;

/** A call that has not answered by then is reported as a network error; the caller may retry. */
const TIMEOUT_MS = 15_000;
export const HISTORY_PAGE_SIZE = 20;
/** The held and unresolved lists: longer pages, since people scan and select from them. */
export const LIST_PAGE_SIZE = 50;
/** The blocklist's download: the API's largest pages, joined into one file. */
export const CSV_PAGE_SIZE = 1000;

/**
 * The service's HTTPS API, as the console uses it. Every call sends the bearer token; every failure
 * becomes an {@link ApiError}.
 */
export class ConsentApi {
  private readonly base: string;

  /** @param apiUrl the API's base URL; empty for the page's own origin (the local stack). */
  constructor(apiUrl: string, private readonly token: TokenGetter) {
    this.base = apiUrl.replace(/\/+$/, '');
  }

  profile(profileId: string): Promise<ProfileConsent> {
    return this.call('GET', `/profiles/${encodeURIComponent(profileId)}/whatsapp`);
  }

  number(phone: string): Promise<NumberConsent> {
    return this.call('GET', `/numbers/${encodeURIComponent(phone)}`);
  }

  request(requestId: string): Promise<ConsentRequest> {
    return this.call('GET', `/requests/${encodeURIComponent(requestId)}`);
  }

  profileHistory(profileId: string, cursor?: string | null): Promise<Page<AuditEntry>> {
    return this.call('GET', `/profiles/${encodeURIComponent(profileId)}/whatsapp/history${pageQuery(cursor)}`);
  }

  numberHistory(phone: string, cursor?: string | null): Promise<Page<AuditEntry>> {
    return this.call('GET', `/numbers/${encodeURIComponent(phone)}/history${pageQuery(cursor)}`);
  }

  /**
   * Asks for a block or unblock. The idempotency key makes a repeated call (a double click, a retry after
   * a lost answer) the same request.
   */
  change(
    input: { profileId: string; phone: string; action: ConsentAction; reason: string },
    idempotencyKey: string,
  ): Promise<{ requestId: string; status: 'pending' }> {
    return this.call(
      'POST',
      `/profiles/${encodeURIComponent(input.profileId)}/whatsapp/${encodeURIComponent(input.phone)}/${input.action}`,
      { reason: input.reason },
      { 'idempotency-key': idempotencyKey },
    );
  }

  /** Everything the service stores about a number, as the API's JSON document (for privacy officers). */
  personalData(phone: string): Promise<Record<string, unknown>> {
    return this.call('GET', `/numbers/${encodeURIComponent(phone)}/personal-data`);
  }

  /** Erases what the service stores about a number but its objection (for privacy officers); repeating it is harmless. */
  erasePersonalData(phone: string, reason: string): Promise<Erasure> {
    return this.call('POST', `/numbers/${encodeURIComponent(phone)}/erase`, { reason });
  }

  /** The automatic blocks the guard held, a page at a time. */
  heldBlocks(cursor?: string | null): Promise<Page<HeldBlock>> {
    return this.call('GET', `/blocklist/held${pageQuery(cursor, LIST_PAGE_SIZE)}`);
  }

  /** Blocks the numbers whose automatic blocks were held, through the queue; they leave the list once applied. */
  releaseHeld(phones: string[], reason: string): Promise<HeldReleased> {
    return this.call('POST', '/blocklist/held/release', { phones, reason });
  }

  /** Drops the held blocks of the numbers at once; the numbers stay sendable. */
  discardHeld(phones: string[], reason: string): Promise<HeldDiscarded> {
    return this.call('POST', '/blocklist/held/discard', { phones, reason });
  }

  /** Failure reports that named their recipient by a user id the service cannot yet match to a number. */
  unresolved(cursor?: string | null): Promise<UnresolvedPage> {
    return this.call('GET', `/blocklist/unresolved${pageQuery(cursor, LIST_PAGE_SIZE)}`);
  }

  /** The numbers blocked now that match the filters, newest change first, a page at a time. */
  blocklist(filter: BlocklistFilter, cursor?: string | null): Promise<Page<BlockedNumber>> {
    return this.call('GET', `/blocklist?${blocklistQuery(filter, LIST_PAGE_SIZE, cursor)}`);
  }

  /**
   * Every number blocked now that matches the filters, as one CSV file: the API's CSV pages, each found
   * by the `Link` header of the one before, joined under one header row. A full page whose `Link` the
   * browser does not show (another origin that does not expose it) fails rather than give half a list.
   */
  async blocklistCsv(filter: BlocklistFilter): Promise<string> {
    let query = String(blocklistQuery(filter, CSV_PAGE_SIZE));
    let csv = '';
    for (;;) {
      const response = await this.send('GET', `/blocklist?${query}`, undefined, { accept: 'text/csv' });
      const page = await response.text().catch((error: unknown) => {
        throw ApiError.network(error);
      });
      csv += csv === '' ? page : withoutCsvHeader(page);
      const next = nextLinkQuery(response.headers.get('link'));
      if (next) {
        query = next;
        continue;
      }
      if (response.type === 'cors' && csvRecordCount(page) - 1 >= CSV_PAGE_SIZE) {
        throw new ApiError('server', 'The service did not say where the rest of the list is, so the file would be incomplete.', undefined, undefined);
      }
      return csv;
    }
  }

  private async call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const response = await this.send(method, path, body, headers);
    return (await response.json().catch(() => undefined)) as T;
  }

  /** One call with the bearer token; a failure, or an answer that is not a success, is an {@link ApiError}. */
  private async send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const token = await this.token();
    if (!token) throw new ApiError('unauthorized', 'You are not signed in.', undefined, undefined);
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw ApiError.network(error);
    }
    if (!response.ok) {
      const problem = await response.json().catch(() => undefined);
      throw ApiError.fromResponse(response.status, problem as Problem | undefined);
    }
    return response;
  }
}

function blocklistQuery(filter: BlocklistFilter, limit: number, cursor?: string | null): URLSearchParams {
  const query = filterQuery(filter);
  query.set('limit', String(limit));
  if (cursor) query.set('cursor', cursor);
  return query;
}

function pageQuery(cursor: string | null | undefined, limit = HISTORY_PAGE_SIZE): string {
  const query = new URLSearchParams({ limit: String(limit) });
  if (cursor) query.set('cursor', cursor);
  return `?${query}`;
}
