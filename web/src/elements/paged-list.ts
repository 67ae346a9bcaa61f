import { html, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';
import type { Page } from '../api/types.js';
import { requestSignInIfRefused } from './signin-required.js';

/** Reads one page of a list: the first for `null`, the next for the cursor the last page gave. */
export type PageLoader<P> = (cursor: string | null) => Promise<P>;

/**
 * A list the API serves a page at a time, for the element that shows it: the items loaded so far, the
 * cursor of the next page, whether a page is loading, and the last error (a refused token also asks the
 * host to sign the person in again). The host updates whenever any of them changes. An answer that comes
 * after a newer load was started is dropped, so a slow old page never replaces a fresh one.
 */
export class PagedList<T, P extends Page<T> = Page<T>> implements ReactiveController {
  items: T[] = [];
  nextCursor: string | null = null;
  /** The last page read, for what the API says beside the items (a total count). */
  lastPage: P | undefined;
  loading = false;
  error: unknown;
  /** A first page has been read (or failed): "empty" now means the list is empty. */
  settled = false;
  private generation = 0;

  constructor(
    private readonly host: ReactiveControllerHost & EventTarget,
    private readonly loader: PageLoader<P>,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  /** Reads the first page again, replacing what was shown. */
  reload(): Promise<void> {
    return this.read(0);
  }

  /**
   * Forgets what was read and reads the first page: for another list in the same place (other filters),
   * which must not show the old items while it loads, nor under its error.
   */
  restart(): Promise<void> {
    this.items = [];
    this.nextCursor = null;
    this.lastPage = undefined;
    this.error = undefined;
    this.settled = false;
    return this.reload();
  }

  /**
   * Reads the list again from its start, as far as it was read before (page after page), so that the
   * items shown are fresh; resolves once done, or rejects with the error it shows.
   */
  async refresh(): Promise<T[]> {
    await this.read(this.items.length);
    if (this.error) throw this.error;
    return this.items;
  }

  /** Reads the next page and adds its items. */
  async more(): Promise<void> {
    if (!this.nextCursor || this.loading) return;
    const generation = ++this.generation;
    await this.run(generation, async () => {
      const page = await this.loader(this.nextCursor);
      if (generation !== this.generation) return;
      this.items = [...this.items, ...page.items];
      this.nextCursor = page.nextCursor;
      this.lastPage = page;
    });
  }

  /** The first page, then further pages until at least `atLeast` items are read or none are left. */
  private async read(atLeast: number): Promise<void> {
    const generation = ++this.generation;
    await this.run(generation, async () => {
      let page = await this.loader(null);
      let items = page.items;
      while (items.length < atLeast && page.nextCursor) {
        page = await this.loader(page.nextCursor);
        items = [...items, ...page.items];
      }
      if (generation !== this.generation) return;
      this.items = items;
      this.nextCursor = page.nextCursor;
      this.lastPage = page;
    });
  }

  private async run(generation: number, work: () => Promise<void>): Promise<void> {
    this.loading = true;
    this.host.requestUpdate();
    try {
      await work();
      if (generation === this.generation) this.error = undefined;
    } catch (error) {
      if (generation === this.generation) this.error = error;
      requestSignInIfRefused(this.host, error);
    } finally {
      if (generation === this.generation) {
        this.loading = false;
        this.settled = true;
      }
      this.host.requestUpdate();
    }
  }
}

/** The button under a paged list that reads its next page; nothing when there is none. */
export function moreButton(list: PagedList<unknown, Page<unknown>>, label: string) {
  if (!list.nextCursor) return nothing;
  return html`<button type="button" class="more" ?disabled=${list.loading} @click=${() => list.more()}>
    ${list.loading ? 'Loading…' : label}
  </button>`;
}
