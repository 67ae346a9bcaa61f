import * as z from 'zod';
import type { CheckResult as CheckResultRecord } from '../../domain/blocklist-check.js';
import { actionSchema, providerActionSchema, providerActorSchema, userActorSchema } from '../../domain/consent-event.js';
import type { NumberView } from '../../domain/profiles.js';
import type { Profile as ProfileRecord } from '../../domain/records.js';

/**
 * The bodies the API answers with, as the handlers build them today. Each named schema becomes a
 * component of the OpenAPI document (`#/components/schemas/<name>`), and the document refers to it
 * wherever it occurs. Nothing here validates a live response; the end-to-end suite checks real answers
 * against the document.
 */
export const responseComponents = z.registry<{ id: string }>();

function named<S extends z.core.$ZodType>(id: string, schema: S): S {
  if (responseComponents.has(schema)) throw new Error(`Response schema ${id} is named twice`);
  responseComponents.add(schema, { id });
  return schema;
}

export const Phone = named('Phone', z.string().regex(/^\+[1-9]\d{1,14}$/).meta({ description: 'A phone number in E.164.', examples: ['+420777123456'] }));
export const Timestamp = named('Timestamp', z.iso.datetime().meta({ description: 'An ISO 8601 time in UTC, to the millisecond.' }));

export const UserActor = named('UserActor', userActorSchema().check(z.meta({ description: 'A person or machine client, by the token that acted.' })));
export const ProviderActor = named(
  'ProviderActor',
  providerActorSchema().check(z.meta({ description: 'WhatsApp, and the business number (`phone_number_id`) the failed message was sent from.' })),
);
export const ConsentAction = named('ConsentAction', actionSchema());
export const ProviderAction = named('ProviderAction', providerActionSchema());
export const ConsentSource = named(
  'ConsentSource',
  z.enum(['manual', 'automatic', 'recipient']).meta({ description: 'Who blocked or unblocked: an editor, the provider, or the recipient by keyword.' }),
);
const requestStatus = z.enum(['pending', 'applied', 'unchanged', 'superseded', 'failed']);

/** The RFC 9457 document of every error. */
export const FieldError = named('FieldError', z.strictObject({ field: z.string(), message: z.string() }).meta({ examples: [{ field: 'body.reason', message: 'is required' }] }));
export const Problem = named(
  'Problem',
  z
    .strictObject({
      type: z.string().meta({ description: 'The kind of problem, e.g. `/problems/invalid-input`.' }),
      title: z.string(),
      status: z.number().int().min(400).max(599),
      detail: z.string(),
      errors: z.array(FieldError).optional().meta({ description: 'For `400` and `415`: each invalid field (`body.reason`, `path.phone`, `query.limit`, `header.content-type`, …).' }),
    })
    .meta({ description: 'An RFC 9457 problem document (`application/problem+json`).' }),
);
/** What API Gateway itself answers with, before any function runs (a refused token in AWS). */
export const GatewayMessage = named('GatewayMessage', z.strictObject({ message: z.string() }).meta({ description: "API Gateway's own error body.", examples: [{ message: 'Unauthorized' }] }));

export const Health = named('Health', z.strictObject({ status: z.literal('ok') }));

export const Profile = named(
  'Profile',
  z.strictObject({
    profileId: z.string(),
    whatsappNumbers: z.array(Phone).meta({ description: 'Distinct, in the order given.' }),
    updatedAt: Timestamp,
    updatedBy: z.string(),
  }),
);

export const NumberConsent = named(
  'NumberConsent',
  z
    .strictObject({
      phone: Phone,
      blocked: z.boolean(),
      source: ConsentSource.nullable(),
      reason: z.string().nullable(),
      reasonCode: z.string().nullable().meta({ description: "The provider's error code of an automatic block." }),
      updatedAt: Timestamp.nullable(),
      updatedBy: z.string().nullable().meta({ description: 'A user name, `whatsapp:{phone_number_id}` or `recipient:{wa_id}`.' }),
      updatedBySender: z.nullable(ProviderActor).meta({
        description: "When the provider made the latest block or unblock: its sender, with the number it displays as (`display_phone_number`) when the callback gave it.",
      }),
      marketingOptOut: z
        .strictObject({ since: Timestamp, source: z.enum(['user_preferences', 'delivery_failure']) })
        .nullable()
        .meta({ description: "The recipient's marketing opt-out: not a block, and only the recipient ends it." }),
      pending: z.array(z.strictObject({ requestId: z.string(), action: ConsentAction, requestedAt: Timestamp })),
    })
    .meta({ description: "A number's consent state (null fields: never blocked or unblocked) and its requests still pending." }),
);

export const ProfileConsent = named('ProfileConsent', z.strictObject({ profileId: z.string(), numbers: z.array(NumberConsent) }));

export const AcceptedRequest = named(
  'AcceptedRequest',
  z.strictObject({ requestId: z.string(), status: requestStatus }).meta({ description: 'The request is recorded and will end; a replayed `Idempotency-Key` answers with the first request and its current status.' }),
);

export const ConsentRequest = named(
  'ConsentRequest',
  z.strictObject({
    requestId: z.string(),
    status: requestStatus,
    action: ConsentAction,
    phone: Phone,
    profileId: z.string().nullable().meta({ description: '`null` for a row of a blocklist import.' }),
    importId: z.string().nullable().meta({ description: 'The blocklist import the request is a row of, if any.' }),
    requestedBy: UserActor,
    requestedAt: Timestamp,
    appliedAt: Timestamp.nullable(),
  }),
);

export const StoredRequest = named(
  'StoredRequest',
  z.strictObject({
    requestId: z.string(),
    status: requestStatus,
    action: ConsentAction,
    phone: Phone,
    profileId: z.string().nullable(),
    importId: z.string().nullable(),
    reason: z.string(),
    requestedBy: UserActor,
    requestedAt: Timestamp,
    appliedAt: Timestamp.nullable(),
    sequence: z.number().int().min(1).meta({ description: "The request's place among its number's requests: a later request has a larger one. The value means nothing more (a number's counter starts at the time it is first used)." }),
  }).meta({ description: 'A block or unblock request as stored.' }),
);

const nextCursor = z.string().nullable().meta({ description: 'Pass it back as `cursor` for the next page; `null` on the last page, even when it is full.' });

export const HistoryEntry = named(
  'HistoryEntry',
  z
    .strictObject({
      eventId: z.string(),
      requestId: z.string().nullable(),
      action: z.union([ConsentAction, ProviderAction]),
      phone: Phone,
      profileId: z.string().nullable(),
      source: ConsentSource,
      reason: z.string(),
      reasonCode: z.string().nullable(),
      actor: z.union([UserActor, ProviderActor]),
      providerMessageId: z.string().nullable(),
      recipientId: z.string().nullable(),
      importId: z.string().nullable().meta({ description: 'The blocklist import the change came from, if any.' }),
      requestedAt: Timestamp,
      appliedAt: Timestamp,
      outcome: z.enum(['applied', 'unchanged', 'superseded', 'held', 'discarded']),
    })
    .meta({ description: 'One audit entry; what does not apply is `null`. `requestedAt` is when the request was accepted, or, for a provider event, when the delivery failed.' }),
);

export const HistoryPage = named('HistoryPage', z.strictObject({ items: z.array(HistoryEntry), nextCursor }).meta({ description: 'Newest first.' }));

export const CheckResult = named(
  'CheckResult',
  z.strictObject({
    blocked: z.array(z.strictObject({ phone: Phone, source: ConsentSource, reasonCode: z.string().nullable() })),
    optedOut: z.array(z.strictObject({ phone: Phone, since: Timestamp })).meta({ description: 'For the `marketing` category only.' }),
    sendable: z.array(Phone),
    invalid: z.array(z.unknown()).meta({ description: 'Each entry that is no valid number, once, exactly as it was sent.' }),
  }),
);

export const BlocklistPage = named(
  'BlocklistPage',
  z
    .strictObject({
      items: z.array(
        z.strictObject({
          phone: Phone,
          source: ConsentSource,
          reason: z.string(),
          reasonCode: z.string().nullable(),
          updatedAt: Timestamp,
          updatedBy: z.string(),
          updatedBySender: z.nullable(ProviderActor).meta({
            description: 'When the provider blocked the number: its sender, with the number it displays as (`display_phone_number`) for blocks applied since the state keeps it.',
          }),
        }),
      ),
      nextCursor,
    })
    .meta({ description: 'The numbers blocked now, newest change first.' }),
);

const InvalidRows = z.array(z.strictObject({ line: z.number().int().min(1), message: z.string() })).meta({ description: 'Each refused row, by its line in the file.' });
const importFields = { importId: z.string(), rows: z.number().int().min(0), accepted: z.number().int().min(0), invalid: InvalidRows };

export const ImportAccepted = named('ImportAccepted', z.strictObject(importFields));

export const ImportProgress = named(
  'ImportProgress',
  z.strictObject({
    ...importFields,
    counts: z.strictObject({
      pending: z.number().int().min(0),
      applied: z.number().int().min(0),
      unchanged: z.number().int().min(0),
      superseded: z.number().int().min(0),
      failed: z.number().int().min(0),
    }),
    done: z.boolean().meta({ description: 'Once no accepted row is pending.' }),
  }),
);

export const HeldPage = named(
  'HeldPage',
  z
    .strictObject({
      items: z.array(z.strictObject({ phone: Phone, sender: z.string(), reasonCode: z.string().nullable(), failedAt: Timestamp, heldAt: Timestamp })),
      nextCursor,
    })
    .meta({ description: 'Automatic blocks the auto-block guard held, newest first.' }),
);

export const Released = named('Released', z.strictObject({ released: z.array(Phone) }).meta({ description: 'The numbers that had held blocks; each is then applied as an automatic block.' }));
export const Discarded = named('Discarded', z.strictObject({ discarded: z.array(Phone) }).meta({ description: 'The numbers whose held blocks left the list.' }));

export const UnresolvedPage = named(
  'UnresolvedPage',
  z
    .strictObject({
      count: z.number().int().min(0),
      items: z.array(
        z.strictObject({
          userId: z.string(),
          sender: z.string(),
          action: ProviderAction,
          reasonCode: z.string().nullable(),
          reason: z.string(),
          providerMessageId: z.string().nullable(),
          profileId: z.string().nullable(),
          failedAt: Timestamp,
          receivedAt: Timestamp,
        }),
      ),
      nextCursor,
    })
    .meta({ description: 'Signals whose user id is not paired with a number yet, newest first.' }),
);

const counted = z.number().int().min(0);
export const CallbackReceipt = named(
  'CallbackReceipt',
  z
    .strictObject({ statuses: counted, preferences: counted, messages: counted, enqueued: counted, unresolved: counted, pairings: counted, unreadable: counted })
    .meta({
      description:
        'What the callback carried, what was queued, what was kept as unresolved, the pairings of user ids queued, and the items that could not be read (logged and counted, not refused).',
    }),
);

/** Stored items that the export shows as they are: events as queued, registers as the processor wrote them. */
const asStored = (description: string) => z.record(z.string(), z.unknown()).meta({ description });

export const PersonalData = named(
  'PersonalData',
  z
    .strictObject({
      phone: Phone,
      exportedAt: Timestamp,
      state: z
        .strictObject({
          phone: Phone,
          blocked: z.boolean(),
          source: ConsentSource.nullable(),
          reason: z.string().nullable(),
          reasonCode: z.string().nullable(),
          profileId: z.string().nullable(),
          updatedAt: Timestamp.nullable(),
          updatedBy: z.string().nullable(),
          senderDisplayPhoneNumber: z
            .string()
            .nullable()
            .meta({ description: "When `updatedBy` names the provider's sender: the number it displays as, when the callback gave it." }),
          marketingOptOut: z.strictObject({ since: Timestamp, source: z.enum(['user_preferences', 'delivery_failure']), sender: z.string() }).nullable(),
          version: z.number().int().min(0),
          registers: asStored('What each source last said about the number (editors, failure, keyword, marketing, carried words, moved), from which the state is computed.'),
        })
        .nullable()
        .meta({ description: 'The consent state as stored; `null` for a number never changed.' }),
      marketingOptOut: z.strictObject({ since: Timestamp, source: z.enum(['user_preferences', 'delivery_failure']) }).nullable(),
      profiles: z.array(z.string()).meta({ description: 'The ids of the profiles that hold the number.' }),
      history: z.array(HistoryEntry).meta({ description: "Every entry of the number's history, newest first." }),
      pending: z.array(StoredRequest).meta({ description: 'The requests not applied yet.' }),
      requests: z.array(StoredRequest).meta({ description: 'Every request kept, whatever its status (a failed one has no history entry).' }),
      pairings: z
        .array(z.strictObject({ userId: z.string(), seenAt: Timestamp, current: z.boolean().meta({ description: "Whether the user id's pairing still names this number." }) }))
        .meta({ description: 'The WhatsApp user ids (BSUIDs) a signed callback showed with the number.' }),
      held: z
        .array(z.strictObject({ phone: Phone, eventId: z.string(), sender: z.string(), reasonCode: z.string().nullable(), failedAt: Timestamp, heldAt: Timestamp, event: asStored('The held event as queued.') }))
        .meta({ description: 'Automatic blocks of the number that the guard held.' }),
      unresolved: z
        .array(z.strictObject({ userId: z.string(), receivedAt: Timestamp, event: asStored('The signal as received, without a number.') }))
        .meta({ description: "Signals kept under a user id that is paired with the number now." }),
      imports: z
        .array(z.strictObject({ importId: z.string(), lines: z.array(z.number().int().min(2)) }))
        .meta({ description: 'The blocklist imports with rows of the number, by their lines in the file.' }),
    })
    .meta({ description: 'Everything the service stores about the number; every key is present, and a number it never saw has an empty document.' }),
);

export const ErasureDone = named(
  'ErasureDone',
  z.strictObject({
    phone: Phone,
    deleted: z
      .strictObject({ historyEntries: counted, profiles: counted, pairings: counted, requests: counted, held: counted, unresolved: counted, importRows: counted })
      .meta({ description: 'How many items of each kind went (the profiles the number left, rows of blocklist imports).' }),
    suppressionKept: z.boolean().meta({ description: 'Whether a suppression record stayed: the number was blocked or opted out of marketing.' }),
  }),
);

export const OpenApiDocument = named(
  'OpenApiDocument',
  z.looseObject({ openapi: z.string(), info: z.looseObject({ title: z.string(), version: z.string() }), paths: z.record(z.string(), z.unknown()) }).meta({ description: 'This document.' }),
);

// What the domain builds must fit the schemas (the handlers that build their bodies inline are checked
// against the document by the end-to-end suite).
type Fits<Built, Schema extends z.ZodType> = [Built] extends [z.output<Schema>] ? true : false;
type Assert<T extends true> = T;
export type DomainFits = [
  Assert<Fits<ProfileRecord, typeof Profile>>,
  Assert<Fits<NumberView, typeof NumberConsent>>,
  Assert<Fits<CheckResultRecord<unknown>, typeof CheckResult>>,
];
