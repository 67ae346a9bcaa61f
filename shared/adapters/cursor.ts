import * as z from 'zod/mini';
import { InvalidInputError } from '../domain/errors.js';

/** A page's cursor: where the next page starts, as opaque text for the client to hand back. */
export function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/**
 * A cursor comes back from the client, so it is checked: one that is not of this page's query (forged,
 * or of another number's history or another list) is a 400 rather than a DynamoDB validation error.
 */
export function decodeCursor<S extends z.core.$ZodType>(cursor: string, schema: S, belongs: (position: z.output<S>) => boolean = () => true): z.output<S> {
  const invalid = new InvalidInputError([{ field: 'query.cursor', message: 'is not a cursor of this page' }]);
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  const parsed = z.safeParse(schema, decoded);
  if (!parsed.success || !belongs(parsed.data)) throw invalid;
  return parsed.data;
}
