import { lambdaContext as localLambdaContext } from '../../../infra/local/lambda-context.js';
import { gatewayEvent, type GatewayEventOptions } from '../../support/api-events.js';
import type { Caller } from '../../../shared/domain/caller.js';
import type { AutomaticConsentEvent, ManualConsentEvent } from '../../../shared/domain/consent-event.js';
import type { ConsentState } from '../../../shared/domain/consent-state.js';
import { consentOf, type EditorsWord, type Registers } from '../../../shared/domain/consent/registers.js';
import { normalisePhone, type E164 } from '../../../shared/domain/phone.js';
import type { HttpContext, HttpEvent } from '../../../shared/http/types.js';

/** An E.164 number made the only way production code makes one; throws on a typo in a test. */
export function e164(text: string): E164 {
  const result = normalisePhone(text);
  if (!result.ok) throw new Error(`test sample ${text} is not a valid number: ${result.reason}`);
  return result.phone;
}

export const PHONE = e164('+420777123456');
export const OTHER_PHONE = e164('+420777123457');

export function callerWith(overrides: Partial<Caller> = {}): Caller {
  return {
    sub: 'sub-erin',
    username: 'erin',
    groups: new Set(['whatsapp-blocklist-editors']),
    scopes: new Set(),
    ...overrides,
  };
}

/** A valid version-1 manual event; `overrides` may break it on purpose. */
export function sampleEvent(overrides: Partial<ManualConsentEvent> = {}): ManualConsentEvent {
  return {
    version: 1,
    eventId: '01JAAAAAAAAAAAAAAAAAAAAAAA',
    requestId: '01JAAAAAAAAAAAAAAAAAAAAAAA',
    source: 'manual',
    action: 'block',
    phone: PHONE,
    profileId: 'profile-1',
    reason: 'asked by phone',
    actor: { type: 'user', sub: 'sub-erin', username: 'erin' },
    requestedAt: '2025-01-02T03:04:05.000Z',
    sequence: 1,
    ...overrides,
  };
}

/** What an editor's manual block of the samples says in the editors' register: olga blocked it, sequence 5. */
export const SAMPLE_EDITORS_BLOCK: EditorsWord = {
  at: '2025-01-01T00:00:00.000Z',
  by: 'person',
  blocking: true,
  sequence: 5,
  eventId: 'sample-block',
  action: 'block',
  reason: 'first reason',
  updatedBy: 'olga',
  profileId: 'profile-0',
};

/**
 * A number's state as the processor stores it, shown as its registers say: by default blocked by hand
 * (sequence 5, version 3).
 */
export function sampleState(registers: Registers = { editors: SAMPLE_EDITORS_BLOCK }, overrides: Partial<ConsentState> = {}): ConsentState {
  return { phone: PHONE, ...consentOf(registers), updatedAt: '2025-01-01T00:00:00.000Z', version: 3, registers, ...overrides };
}

/** A valid version-1 `wa_blocked` event from the provider webhook; `overrides` may break it on purpose. */
export function sampleAutomaticEvent(overrides: Partial<AutomaticConsentEvent> = {}): AutomaticConsentEvent {
  return {
    version: 1,
    eventId: 'wa-sample',
    source: 'automatic',
    action: 'wa_blocked',
    phone: PHONE,
    alternatives: [],
    recipientId: PHONE.slice(1),
    reasonCode: '131026',
    reason: 'Message undeliverable',
    actor: { type: 'provider', provider: 'whatsapp', phoneNumberId: '967249473135513', displayPhoneNumber: '5511962185237' },
    providerMessageId: 'wamid.sample',
    occurredAt: '2025-01-02T03:04:05.000Z',
    ...overrides,
  };
}

/** An API Gateway event for middleware tests; by default from a caller named erin. */
export function httpEvent(options: Partial<GatewayEventOptions> & { routeKey?: string } = {}): HttpEvent {
  const { routeKey = 'GET /test', claims = { token_use: 'access', sub: 'sub-erin', username: 'erin' }, ...rest } = options;
  return gatewayEvent(routeKey, { ...rest, claims });
}

/** A Lambda context; `caller` is what `authenticate` fills in, so it starts out missing. */
export function lambdaContext(): HttpContext {
  return localLambdaContext('unit') as HttpContext;
}
