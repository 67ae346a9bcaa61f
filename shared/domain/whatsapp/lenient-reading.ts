import * as z from 'zod/mini';
import { zodWords } from '../zod-words.js';

/**
 * Reading a document item by item, the way the webhook reads Meta's callbacks: each item of a list is
 * checked on its own, so that one malformed item costs only itself, and whatever cannot be read is noted
 * (where, why, how many) instead of refusing the whole document.
 */

/** Something the service could not read: where it is, why, and how many items it stands for. */
export interface Unreadable {
  /** Its place in the body, `entry[0].changes[1].value.statuses[3]`, or `body` for the body itself. */
  path: string;
  /** What is wrong with it, in words that quote none of its contents. */
  reason: string;
  /** The message id it carries, when it has one, to find it in Meta's records. */
  messageId?: string;
  /** How many items it stands for: one, or all those beyond a bound. */
  items: number;
}

/** Collects what could not be read while a document is read. */
export class Notes {
  readonly unreadable: Unreadable[] = [];

  note(path: string, reason: string, item?: unknown, items = 1): void {
    const messageId = messageIdOf(item);
    this.unreadable.push({ path, reason, ...(messageId ? { messageId } : {}), items });
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The items of a list, each checked with the schema; each item that fails, and every item beyond `max`
 * (the bound that protects the service), is noted and skipped. A missing list (absent or `null`) is an
 * empty one; anything else that is no list is noted.
 */
export function itemsOf<S extends z.ZodMiniType>(list: unknown, schema: S, path: string, max: number, notes: Notes): { item: z.output<S>; path: string }[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) {
    notes.note(path, 'is not a list');
    return [];
  }
  if (list.length > max) notes.note(`${path}[${max}:]`, `is beyond the first ${max} items, which are all that are read`, undefined, list.length - max);
  return list.slice(0, max).flatMap((raw: unknown, index) => {
    const itemPath = `${path}[${index}]`;
    const result = readWith(schema, raw);
    if (result.success) return [{ item: result.data, path: itemPath }];
    notes.note(itemPath, reasonOf(result.error), raw);
    return [];
  });
}

/** A value checked with a schema, its issues in zod's words wherever the schema gives none ({@link reasonOf} reads them). */
export function readWith<S extends z.ZodMiniType>(schema: S, value: unknown) {
  return schema.safeParse(value, { error: zodWords() });
}

/** The issues of a failed check, by field, in zod's words (which name types and rules, never values). */
export function reasonOf(error: z.core.$ZodError): string {
  const issues = error.issues.slice(0, 3).map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'the item'}: ${issue.message}`);
  return [...issues, ...(error.issues.length > 3 ? [`and ${error.issues.length - 3} more`] : [])].join('; ');
}

/** The message id of an item, to name it in the logs: Meta's ids are opaque and carry no personal data. */
function messageIdOf(item: unknown): string | undefined {
  const id = isRecord(item) ? item['id'] : undefined;
  return typeof id === 'string' && id.length > 0 && id.length <= 256 ? id : undefined;
}

/** An optional field: absent, or `null` as some senders write a missing field, is `undefined`. */
export function optional<S extends z.ZodMiniType>(schema: S) {
  return z.pipe(
    z.nullish(schema),
    z.transform((value): z.output<S> | undefined => value ?? undefined),
  );
}

/** An optional field the service can do without: anything that does not fit is as if absent. */
export function dispensable<S extends z.ZodMiniType>(schema: S) {
  return z.catch(optional(schema), undefined);
}

/**
 * A string Meta sends; a whole number stands for its digits where a sender wrote one instead (ids,
 * WhatsApp ids), as long as the number is exact.
 */
export function text(maxLength: number) {
  return z.union([z.string().check(z.minLength(1), z.maxLength(maxLength)), exactDigits()]);
}

/** A whole number that a sender wrote in place of a string of digits, as those digits. */
export function exactDigits() {
  return z.pipe(z.int().check(z.nonnegative(), z.maximum(Number.MAX_SAFE_INTEGER)), z.transform(String));
}

/** Up to the year 5138: a time in milliseconds, or anything larger, is no time in seconds. */
const MAX_UNIX_SECONDS = 99_999_999_999;

/** Unix seconds as Meta writes them: digits in a string (messages, statuses) or a number (preferences, echoes). */
export function unixSeconds() {
  return z.union([z.int().check(z.minimum(0), z.maximum(MAX_UNIX_SECONDS)), z.pipe(z.string().check(z.regex(/^\d{1,11}$/)), z.transform(Number))], {
    error: 'must be Unix seconds, as a number or a string of digits',
  });
}

/** A whole number, or its digits in a string (error codes). */
export function wholeNumber() {
  return z.union([z.int(), z.pipe(z.string().check(z.regex(/^-?\d{1,15}$/)), z.transform(Number))], { error: 'must be a whole number' });
}
