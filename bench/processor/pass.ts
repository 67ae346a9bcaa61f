import type { GetItemCommandInput, QueryCommandInput, TransactWriteItem, WriteRequest } from '@aws-sdk/client-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import type { ConsentState } from '../../shared/domain/consent-state.js';
import type { ConsentEvent } from '../../shared/domain/consent-event.js';
import type { E164 } from '../../shared/domain/phone.js';
import type { CallCount } from '../support/dynamodb-calls.js';

/*
 * What a pass of the processor benchmark is, for every part of it: the seeding that plans it, the floor
 * and the handler's process that run it, and the check of what it left.
 */

/** The automatic-block guard's settings, the processor's and the floor's alike. */
export const GUARD_LIMIT = 500;
export const GUARD_WINDOW_SECONDS = 600;

export type Way = 'handler' | 'floor';
export type Expected = 'applied' | 'unchanged' | 'superseded' | 'duplicate';

/** One queued message, with what the floor issues for it and what the processor must make of it. */
export interface Planned {
  record: SQSRecord;
  group: E164;
  event: ConsentEvent;
  expected: Expected;
  holderQueries: QueryCommandInput[];
  stateGet: GetItemCommandInput;
  guardSender: string | undefined;
  items: TransactWriteItem[];
}

export interface Pass {
  way: Way;
  index: number;
  /** Arrival order on the queue. */
  queue: Planned[];
  byMessageId: Map<string, Planned>;
  seeds: WriteRequest[];
  finalStates: Map<E164, ConsentState>;
  senders: string[];
}

export interface Tables {
  consent: string;
  audit: string;
}

/** What the parent asks of a pass: which one, and the time its events start at. */
export interface PassRequest {
  index: number;
  startMs: number;
}

export interface PassResult {
  ms: number;
  cpuMs: number;
  /** DynamoDB calls by operation. */
  calls: [string, CallCount][];
}
