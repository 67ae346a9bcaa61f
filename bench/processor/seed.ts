import type { DynamoDBClient, WriteRequest } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { transition, type ConsentState } from '../../shared/domain/consent-state.js';
import type { AutomaticConsentEvent, ConsentEvent, ManualConsentEvent } from '../../shared/domain/consent-event.js';
import { eventIdFrom } from '../../shared/domain/event-id.js';
import { normalisePhone, type E164 } from '../../shared/domain/phone.js';
import { recipientCandidates } from '../../shared/domain/whatsapp/recipient.js';
import { keys } from '../../shared/adapters/keys.js';
import { sqsRecord } from '../../test/support/sqs-records.js';
import { batchWriteAll } from '../support/batch-write.js';
import { holderQuery, ledgerItems } from './floor.js';
import type { Pass, PassRequest, Planned, Tables, Way } from './pass.js';
import { scaled } from '../support/scale.js';

/*
 * The processor benchmark's numbers and events, each pass's plan, and the items seeded before it runs.
 */

export const NUMBERS = scaled(320, 24);
const SENDERS = 3;

/** A small seeded generator, so that every pass has the same shape. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function e164(text: string): E164 {
  const parsed = normalisePhone(text);
  if (!parsed.ok || parsed.phone !== text) throw new Error(`bench number ${text} is not E.164`);
  return parsed.phone;
}

/**
 * The pass's numbers: Czech mobiles, and one in ten a Brazilian WhatsApp id in the old eight-digit form,
 * which stands for the mobile with the extra 9 (held by a profile) or for the landline as written.
 */
function numberOf(pass: number, index: number): { phone: E164; alternatives: E164[]; recipientId: string } {
  const serial = String(pass * 1000 + index).padStart(7, '0');
  if (index % 10 !== 0) {
    const phone = e164(`+42077${serial}`);
    return { phone, alternatives: [], recipientId: phone.slice(1) };
  }
  const recipientId = `55117${serial}`;
  const [phone, ...alternatives] = recipientCandidates(recipientId);
  if (!phone || alternatives.length !== 1) throw new Error(`bench id ${recipientId} does not name two numbers`);
  return { phone, alternatives, recipientId };
}

/**
 * A number's events, oldest first: manual blocks and unblocks (each of a pending request), and provider
 * failures, minutes apart, with about one in twelve delivered once more a little later (the sweeper's
 * resend of a pending request, or a callback Meta delivered twice).
 */
function eventsOf(pass: number, index: number, senders: readonly string[], startMs: number): { event: ConsentEvent; receiveCount: number }[] {
  const next = random(index + 1);
  const { phone, alternatives, recipientId } = numberOf(pass, index);
  const count = 8 + (index % 7);
  const events: { event: ConsentEvent; receiveCount: number }[] = [];
  const later: { event: ConsentEvent; due: number }[] = [];
  let atMs = startMs + Math.floor(next() * 60_000);
  let sequence = 0;
  for (let step = 0; step < count; step++) {
    atMs += 30_000 + Math.floor(next() * 90_000);
    const roll = next();
    let event: ConsentEvent;
    if (roll < 0.64) {
      const id = `bench-${pass}-${index}-${step}`;
      event = {
        version: 1,
        eventId: id,
        requestId: id,
        source: 'manual',
        action: roll < 0.34 ? 'block' : 'unblock',
        phone,
        profileId: `bench-profile-${pass}-${index}`,
        reason: roll < 0.34 ? 'Asked us to stop, by phone' : 'Customer asked to receive messages again',
        actor: { type: 'user', sub: `sub-editor-${index % 7}`, username: `editor${index % 7}` },
        requestedAt: new Date(atMs).toISOString(),
        sequence: ++sequence,
      } satisfies ManualConsentEvent;
    } else {
      const sender = senders[Math.floor(next() * senders.length)]!;
      const providerMessageId = `wamid.bench-${pass}-${index}-${step}`;
      event = {
        version: 1,
        eventId: eventIdFrom(providerMessageId, 'failed'),
        source: 'automatic',
        action: 'wa_blocked',
        phone,
        alternatives,
        recipientId,
        reasonCode: '131026',
        reason: 'Message undeliverable.',
        actor: { type: 'provider', provider: 'whatsapp', phoneNumberId: sender, displayPhoneNumber: '5511962185237' },
        providerMessageId,
        occurredAt: new Date(Math.floor(atMs / 1000) * 1000).toISOString(),
      } satisfies AutomaticConsentEvent;
    }
    events.push({ event, receiveCount: 1 });
    if (next() < 0.085) later.push({ event, due: step + 1 + Math.floor(next() * 3) });
    for (const duplicate of later.filter((entry) => entry.due === step)) events.push({ event: duplicate.event, receiveCount: next() < 0.3 ? 2 : 1 });
  }
  for (const duplicate of later.filter((entry) => entry.due >= count)) events.push({ event: duplicate.event, receiveCount: 1 });
  return events;
}

/**
 * A pass: its events in the order they arrive on the queue (the numbers' timelines interleaved), with
 * what each must come to, and the floor's calls for each, from the processor's decisions played out in
 * memory on each number's events in order.
 */
export function plan(way: Way, { index, startMs }: PassRequest, tables: Tables): Pass {
  const senders = Array.from({ length: SENDERS }, (_, sender) => `1098765432${String(index).padStart(3, '0')}${sender}`);
  const appliedAt = new Date().toISOString();
  const nowSeconds = Math.floor(Date.now() / 1000);
  const arrivals: { planned: Planned; at: number }[] = [];
  const seeds: WriteRequest[] = [];
  const finalStates = new Map<E164, ConsentState>();
  for (let number = 0; number < NUMBERS; number++) {
    const events = eventsOf(index, number, senders, startMs);
    const { phone, alternatives } = numberOf(index, number);
    if (alternatives.length > 0) {
      seeds.push({ PutRequest: { Item: marshall({ ...keys.holder(phone, `bench-profile-${index}-${number}`), profileId: `bench-profile-${index}-${number}`, phone }) } });
    }
    let current: ConsentState | undefined;
    const applied = new Set<string>();
    for (const [position, { event, receiveCount }] of events.entries()) {
      if (event.source === 'manual' && !applied.has(event.eventId)) seeds.push({ PutRequest: { Item: marshall(requestItem(event)) } });
      const decided = transition(current, event, appliedAt);
      const duplicate = applied.has(event.eventId);
      const blocks = decided.newlyBlocked && event.source === 'automatic' && event.action === 'wa_blocked' && !event.release;
      const messageId = `${way}-${index}-${number}-${position}`;
      const planned: Planned = {
        record: sqsRecord(JSON.stringify(event), { groupId: phone, messageId, receiveCount }),
        group: phone,
        event,
        expected: duplicate ? 'duplicate' : decided.outcome,
        holderQueries: event.source === 'automatic' && event.alternatives.length > 0 ? [phone, ...event.alternatives].map((candidate) => holderQuery(tables, candidate)) : [],
        stateGet: { TableName: tables.consent, Key: marshall(keys.state(phone)), ConsistentRead: true },
        guardSender: blocks ? event.actor.phoneNumberId : undefined,
        items: ledgerItems(tables, event, current?.version, decided, appliedAt, nowSeconds),
      };
      if (!duplicate) {
        applied.add(event.eventId);
        if (decided.next) current = decided.next;
      }
      arrivals.push({ planned, at: position * 100_000 + ((number * 7919) % 100_000) });
    }
    if (current) finalStates.set(phone, current);
  }
  arrivals.sort((a, b) => a.at - b.at);
  const queue = arrivals.map((arrival) => arrival.planned);
  return { way, index, queue, byMessageId: new Map(queue.map((planned) => [planned.record.messageId, planned])), seeds, finalStates, senders };
}

function requestItem(event: ManualConsentEvent): Record<string, unknown> {
  return {
    ...keys.request(event.phone, event.requestId),
    requestId: event.requestId,
    status: 'pending',
    action: event.action,
    phone: event.phone,
    profileId: event.profileId,
    reason: event.reason,
    requestedBy: event.actor,
    requestedAt: event.requestedAt,
    sequence: event.sequence,
    pendingShard: keys.pendingShard(event.requestId),
  };
}

/** Writes a pass's seeds (the pending requests, and the holders of numbers named with another). */
export async function seed(client: DynamoDBClient, tableName: string, requests: readonly WriteRequest[]): Promise<void> {
  await batchWriteAll(client, tableName, requests, 8);
}
