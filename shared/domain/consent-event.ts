import { eventSchemas } from './consent-event-shapes.js';
import { onFirstUse } from './on-first-use.js';
import { e164Schema } from './phone.js';

export * from './consent-event-shapes.js';

/** The events' schemas, with their numbers read as `normalisePhone` reads them; built on first use. */
const events = onFirstUse(() => eventSchemas(e164Schema));

/** A manual or automatic consent event. */
export const consentEventSchema = () => events().consent;

/** Everything the queue carries: consent events, and pairings of user ids with numbers. */
export const queuedEventSchema = () => events().queued;
