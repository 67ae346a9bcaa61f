import { monotonicFactory } from 'ulid';
import type { Clock } from '../domain/ports.js';

export const systemClock: Clock = { now: () => new Date() };

/** ULIDs sort by creation time, so request ids and audit keys order themselves. */
export const newId: () => string = monotonicFactory();
