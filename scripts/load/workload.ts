import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { signatureOf, statusCallback } from '../provider-callbacks.js';
import type { RouteName } from './mix.js';

/** One request as the run sends it; the body is the exact bytes (a callback is signed over them). */
export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Sent without the run's bearer token (the webhook, which Meta calls without one). */
  anonymous?: boolean;
}

export interface SeedProfile {
  profileId: string;
  numbers: string[];
}

/** Numbers per profile, in turn: 1 to 5, three on average (the profile view reads each number's pending requests). */
const NUMBERS_PER_PROFILE = [1, 2, 3, 4, 5] as const;
/** The check's list sizes, in turn. */
export const CHECK_SIZES = [100, 250, 500, 1000] as const;
/** Failures that would block, per business number: well under the auto-block guard's default (500 in ten minutes). */
const FAILURES_PER_SENDER = 200;

/**
 * The requests of one run, made one at a time in the order they are sent. Every run works on numbers
 * and profiles of its own (Czech mobile numbers `+420 72x xxx xxx` from a random offset, profiles
 * `load-<run>-<n>`), so runs against one stack do not meet, and neither do the test suites' numbers
 * (`+420 777 …`). The blocklist checks also ask about numbers nobody holds (`+420 601 …`).
 */
export function workload({ requests, appSecret }: { requests: number; appSecret: string }) {
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const profileCount = Math.min(200, Math.max(5, Math.ceil(requests / 15)));
  const sizes = Array.from({ length: profileCount }, (_, index) => NUMBERS_PER_PROFILE[index % NUMBERS_PER_PROFILE.length]!);
  const poolSize = sizes.reduce((sum, size) => sum + size, 0);
  const base = randomInt(0, 10_000_000 - poolSize);
  const pool = Array.from({ length: poolSize }, (_, index) => `+42072${String(base + index).padStart(7, '0')}`);
  const profiles: SeedProfile[] = [];
  /** The profile of each number of the pool, by its index. */
  const holder: string[] = [];
  for (const [index, size] of sizes.entries()) {
    const profileId = `load-${runId}-${index + 1}`;
    profiles.push({ profileId, numbers: pool.slice(holder.length, holder.length + size) });
    holder.push(...Array<string>(size).fill(profileId));
  }
  const profileOf = (numberIndex: number) => holder[numberIndex]!;
  // Business numbers (`phone_number_id`) of this run: a fresh one every FAILURES_PER_SENDER failures.
  const senderBase = `9${String(randomInt(0, 1e9)).padStart(9, '0')}`;

  const sent: Record<RouteName, number> = { profile: 0, block: 0, unblock: 0, check: 0, webhook: 0 };
  /** Numbers blocked by this run and not unblocked since, oldest first: what the unblocks take. */
  const blockedByRun: number[] = [];
  let failures = 0;
  let changes = 0;

  const json = (method: 'POST', path: string, body: unknown, headers: Record<string, string> = {}): LoadRequest => ({
    method,
    path,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

  function change(action: 'block' | 'unblock', numberIndex: number): LoadRequest {
    changes += 1;
    const phone = pool[numberIndex]!;
    return json(
      'POST',
      `/profiles/${profileOf(numberIndex)}/whatsapp/${encodeURIComponent(phone)}/${action}`,
      { reason: `Load run ${runId}: ${action} ${changes}${changes % 7 === 0 ? ', asked by phone (Überprüfung)' : ''}` },
      { 'idempotency-key': `load-${runId}-${changes}-${randomUUID()}` },
    );
  }

  function check(n: number): LoadRequest {
    const size = CHECK_SIZES[n % CHECK_SIZES.length]!;
    const phones: string[] = [];
    const fromPool = Math.floor(size / 2);
    const offset = (n * 37) % poolSize;
    for (let i = 0; i < fromPool; i++) phones.push(written(pool[(offset + i) % poolSize]!, i));
    for (let i = phones.length; i < size - 2; i++) phones.push(written(`+420601${String(randomInt(0, 1_000_000)).padStart(6, '0')}`, i));
    phones.push('not a number', pool[offset]!); // one invalid entry, one duplicate
    return json('POST', '/blocklist/check', n % 4 === 3 ? { phones, category: 'utility' } : { phones });
  }

  // Every third callback reports a failure (131026: not on WhatsApp), which blocks the number; the
  // rest report `delivered` and `read`, which the webhook acknowledges.
  function callback(n: number, kind = (['failed', 'delivered', 'read'] as const)[n % 3]!, messageId = `wamid.load-${runId}-${n}`): LoadRequest {
    const numberIndex = kind === 'failed' ? (Math.floor(poolSize / 2) + failures) % poolSize : (n * 13) % poolSize;
    const recipientId = pool[numberIndex]!.slice(1);
    const sender = `${senderBase}${Math.floor(failures / FAILURES_PER_SENDER)}`;
    if (kind === 'failed') failures += 1;
    const status = {
      id: messageId,
      status: kind,
      timestamp: String(Math.floor(Date.now() / 1000)),
      recipient_id: recipientId,
      ...(kind === 'failed'
        ? { errors: [{ code: 131026, title: 'Message undeliverable', message: 'Message undeliverable', error_data: { details: 'Message Undeliverable.' } }] }
        : {}),
    };
    const body = statusCallback({ phoneNumberId: sender, displayPhoneNumber: '15550000000' }, [status], [{ wa_id: recipientId }]);
    return {
      method: 'POST',
      path: '/webhooks/whatsapp',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signatureOf(body, appSecret) },
      body,
      anonymous: true,
    };
  }

  return {
    runId,
    profiles,
    numbers: poolSize,
    /** The next request of the route. */
    next(route: RouteName): LoadRequest {
      const n = sent[route]++;
      switch (route) {
        case 'profile':
          return { method: 'GET', path: `/profiles/${profiles[n % profileCount]!.profileId}/whatsapp`, headers: {} };
        case 'block': {
          const numberIndex = n % poolSize;
          blockedByRun.push(numberIndex);
          return change('block', numberIndex);
        }
        case 'unblock':
          return change('unblock', blockedByRun.shift() ?? (poolSize - 1 - (n % poolSize)));
        case 'check':
          return check(n);
        case 'webhook':
          return callback(n);
      }
    },
    /** A signed `delivered` callback: checks that the stack takes this run's signature, and changes nothing. */
    probeCallback(): LoadRequest {
      return callback(0, 'delivered', `wamid.load-${runId}-probe`);
    },
  };
}

export type Workload = ReturnType<typeof workload>;

/** The `X-Hub-Signature-256` value for these exact bytes. */

/** A number written as campaigns write them: E.164, spaced, or with the `00` prefix. */
function written(e164: string, i: number): string {
  switch (i % 3) {
    case 0:
      return e164;
    case 1:
      return `${e164.slice(0, 4)} ${e164.slice(4, 7)} ${e164.slice(7, 10)} ${e164.slice(10)}`;
    default:
      return `00${e164.slice(1)}`;
  }
}
