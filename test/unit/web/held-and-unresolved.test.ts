import type { HeldBlock } from '../../../web/src/api/types.js';
import {
  counted,
  HELD_MAX_PHONES,
  heldActionMessage,
  heldActionProblem,
  heldByNumber,
  selectAllState,
  unresolvedSummary,
} from '../../../web/src/model/held-and-unresolved.js';
import { cleanReason, REASON_MAX_LENGTH, reasonProblem } from '../../../web/src/model/reason.js';

/** The held and unresolved pages, without drawing: grouping, selection, what may be sent, and the words. */

const held = (phone: string, failedAt: string): HeldBlock => ({ phone, sender: '967249473135513', reasonCode: '131026', failedAt, heldAt: failedAt });

describe('heldByNumber', () => {
  it('groups a number held more than once, where it first appears, keeping the order of its blocks', () => {
    // prepare
    const items = [held('+420777000001', 't1'), held('+420777000002', 't2'), held('+420777000001', 't3')];

    // act
    const numbers = heldByNumber(items);

    // assess
    expect(numbers.map((number) => [number.phone, number.blocks.map((block) => block.failedAt)])).toEqual([
      ['+420777000001', ['t1', 't3']],
      ['+420777000002', ['t2']],
    ]);
  });

  it('has nothing for an empty list', () => {
    expect(heldByNumber([])).toEqual([]);
  });
});

describe('selectAllState', () => {
  it.each([
    [[], 'none'],
    [['+1'], 'some'],
    [['+1', '+2'], 'all'],
    [['+3'], 'none'],
  ])('with %j selected of +1 and +2 is %s', (selected, state) => {
    expect(selectAllState(['+1', '+2'], new Set(selected))).toBe(state);
  });

  it('is none when nothing is shown', () => {
    expect(selectAllState([], new Set(['+1']))).toBe('none');
  });
});

describe('heldActionProblem', () => {
  it('asks for a selection first, then a reason, and lets a valid request through', () => {
    expect(heldActionProblem(0, 'why')).toEqual({ field: 'selection', message: 'Select at least one number in the table.' });
    expect(heldActionProblem(2, '')).toEqual({ field: 'reason', message: 'Enter a reason: it is required.' });
    expect(heldActionProblem(2, 'Provider outage')).toBeUndefined();
  });

  it(`refuses more than ${HELD_MAX_PHONES} numbers at a time, as the service does`, () => {
    expect(heldActionProblem(HELD_MAX_PHONES, 'why')).toBeUndefined();
    expect(heldActionProblem(HELD_MAX_PHONES + 1, 'why')).toEqual({ field: 'selection', message: 'Select at most 100 numbers at a time; 101 are selected.' });
  });
});

describe('reasons', () => {
  it('are cleaned as the service cleans them, and counted in characters, not UTF-16 units', () => {
    expect(cleanReason('  Cafe\u0301  ')).toBe('Café');
    expect(reasonProblem('😀'.repeat(REASON_MAX_LENGTH))).toBeUndefined();
    expect(reasonProblem('😀'.repeat(REASON_MAX_LENGTH + 1))).toBe(`The reason is too long: at most ${REASON_MAX_LENGTH} characters.`);
  });
});

describe('heldActionMessage', () => {
  it.each([
    ['release', 1, 1, 'Released 1 number; it will be blocked shortly.'],
    ['release', 3, 3, 'Released 3 numbers; they will be blocked shortly.'],
    ['discard', 1, 1, 'Discarded 1 held block; the number stays sendable.'],
    ['discard', 2, 2, 'Discarded 2 held blocks; the numbers stay sendable.'],
    ['release', 3, 2, 'Released 2 numbers; they will be blocked shortly. 1 selected number was no longer held.'],
    ['discard', 4, 1, 'Discarded 1 held block; the number stays sendable. 3 selected numbers were no longer held.'],
    ['release', 2, 0, 'None of the selected numbers was still held; nothing was released.'],
  ] as const)('%s of %i numbers, %i done: %s', (action, requested, done, message) => {
    expect(heldActionMessage(action, requested, done)).toBe(message);
  });
});

describe('unresolvedSummary', () => {
  it('counts the reports, and says when every one was matched', () => {
    expect(unresolvedSummary(3)).toBe('3 failure reports could not be matched to a number.');
    expect(unresolvedSummary(1)).toBe('1 failure report could not be matched to a number.');
    expect(unresolvedSummary(0)).toBe('Every failure report was matched to a number.');
  });

  it('counts in the singular only for one', () => {
    expect([0, 1, 2].map((count) => counted(count, 'number', 'numbers'))).toEqual(['0 numbers', '1 number', '2 numbers']);
  });
});
