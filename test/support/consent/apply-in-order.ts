import { transition, type ConsentState, type Transition } from '../../../shared/domain/consent-state.js';
import type { ConsentEvent } from '../../../shared/domain/consent-event.js';

/** Applies events one after another as the processor does a number's queue; the last transition too. */
export function applyInOrder(events: readonly ConsentEvent[], appliedAt = '2026-03-02T00:00:00.000Z', from?: ConsentState): { state: ConsentState | undefined; last: Transition | undefined } {
  let state = from;
  let last: Transition | undefined;
  for (const event of events) {
    last = transition(state, event, appliedAt);
    state = last.next ?? state;
  }
  return { state, last };
}
