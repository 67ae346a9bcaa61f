import type { Page } from '../../../web/src/api/types.js';
import { PagedList } from '../../../web/src/elements/paged-list.js';

/** A list the API serves a page at a time, as the history and the held and unresolved pages read it. */

/** Stands in for the element: counts the updates it is asked for, and the events it raises. */
function fakeHost() {
  const host = Object.assign(new EventTarget(), {
    updates: 0,
    addController: () => undefined,
    removeController: () => undefined,
    requestUpdate: () => void host.updates++,
    updateComplete: Promise.resolve(true),
  });
  return host;
}

/** Pages of `size` numbers from 0 to `total - 1`; the cursor is where the next page starts. */
function numbers(total: number, size: number) {
  const asked: (string | null)[] = [];
  const loader = async (cursor: string | null): Promise<Page<number>> => {
    asked.push(cursor);
    const start = Number(cursor ?? 0);
    const end = Math.min(total, start + size);
    return { items: Array.from({ length: end - start }, (_, index) => start + index), nextCursor: end < total ? String(end) : null };
  };
  return { loader, asked };
}

describe('PagedList', () => {
  it('reads the first page, then the next on more, and knows when none is left', async () => {
    // prepare
    const { loader } = numbers(5, 2);
    const list = new PagedList<number>(fakeHost(), loader);

    // act, assess
    await list.reload();
    expect([list.items, list.nextCursor, list.settled]).toEqual([[0, 1], '2', true]);
    await list.more();
    await list.more();
    expect([list.items, list.nextCursor]).toEqual([[0, 1, 2, 3, 4], null]);
  });

  it('refreshes from the start as far as it had read, so that items that left the list are gone', async () => {
    // prepare
    let total = 6;
    const asked: (string | null)[] = [];
    const list = new PagedList<number>(fakeHost(), (cursor) => {
      asked.push(cursor);
      return numbers(total, 2).loader(cursor);
    });
    await list.reload();
    await list.more();
    asked.length = 0;
    total = 3;

    // act
    const items = await list.refresh();

    // assess
    expect(items).toEqual([0, 1, 2]);
    expect(asked).toEqual([null, '2']);
    expect(list.nextCursor).toBeNull();
  });

  it('keeps a failure to show, rejects a refresh with it, and clears it once a read succeeds', async () => {
    // prepare
    let fail = true;
    const list = new PagedList<number>(fakeHost(), async () => {
      if (fail) throw new Error('down');
      return { items: [1], nextCursor: null };
    });

    // act, assess
    await list.reload();
    expect(list.error).toEqual(new Error('down'));
    await expect(list.refresh()).rejects.toThrow('down');
    fail = false;
    await list.reload();
    expect([list.items, list.error]).toEqual([[1], undefined]);
  });

  it('on restart forgets what it showed: nothing of the old list while the new loads, nor under its error', async () => {
    // prepare
    let answer: () => Promise<Page<number>> = numbers(5, 2).loader.bind(null, null);
    const list = new PagedList<number>(fakeHost(), () => answer());
    await list.reload();
    let release: () => void = () => {};
    answer = () => new Promise((_, reject) => (release = () => reject(new Error('refused'))));

    // act
    const restarted = list.restart();

    // assess
    expect([list.items, list.nextCursor, list.settled, list.loading]).toEqual([[], null, false, true]);
    release();
    await restarted;
    expect([list.items, list.error, list.settled]).toEqual([[], new Error('refused'), true]);
  });

  it('drops a slow answer that a newer read overtook', async () => {
    // prepare
    const answers: ((page: Page<string>) => void)[] = [];
    const list = new PagedList<string>(fakeHost(), () => new Promise((resolve) => answers.push(resolve)));

    // act: two reads; the newer answers first, then the old one
    const older = list.reload();
    const newer = list.reload();
    answers[1]!({ items: ['new'], nextCursor: null });
    await newer;
    answers[0]!({ items: ['old'], nextCursor: 'x' });
    await older;

    // assess
    expect([list.items, list.nextCursor, list.loading]).toEqual([['new'], null, false]);
  });
});
