import * as z from 'zod/mini';
import { onFirstUse } from './on-first-use.js';

/** Who is calling, as read from a verified token's claims. */
export interface Caller {
  /** The token's `sub`: a user's id, or the app client's id for a client-credentials token. */
  sub: string;
  /** A human-readable name for the audit: username, e-mail or client id. */
  username: string;
  groups: ReadonlySet<string>;
  scopes: ReadonlySet<string>;
}

/**
 * API Gateway HTTP APIs hand every claim over as a string, and an array claim such as `cognito:groups`
 * as `"[a b]"`; REST APIs and tests pass real arrays. Both forms are accepted.
 */
const listClaim = () =>
  z.pipe(
    z.optional(z.union([z.array(z.string()), z.string()])),
    z.transform((value: string[] | string | undefined): string[] => {
      if (value === undefined) return [];
      if (Array.isArray(value)) return value;
      const inner = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
      return inner.split(/[\s,]+/).filter((item) => item.length > 0);
    }),
  );

const claimsSchema = onFirstUse(() => {
  const list = listClaim();
  return z.looseObject({
    /**
     * API Gateway's Cognito authorizer also lets a pool's ID tokens through (their `aud` is the app
     * client). An ID token tells the console who signed in; it is not meant to authorise calls, and
     * holds none of the scopes machine clients are granted, so only an access token names a caller.
     */
    token_use: z.literal('access'),
    sub: z.string().check(z.minLength(1)),
    username: z.optional(z.string()),
    'cognito:username': z.optional(z.string()),
    email: z.optional(z.string()),
    client_id: z.optional(z.string()),
    'cognito:groups': list,
    /** Space-separated in Cognito access tokens; a list is read the same way. */
    scope: list,
  });
});

/** Turns verified JWT claims into a {@link Caller}; `undefined` unless they are an access token's, with a subject. */
export function callerFromClaims(claims: unknown): Caller | undefined {
  const parsed = claimsSchema().safeParse(claims);
  if (!parsed.success) return undefined;
  const c = parsed.data;
  return {
    sub: c.sub,
    // An empty claim names nobody, so it falls through to the next one.
    username: [c.username, c['cognito:username'], c.email, c.client_id].find((name) => name !== undefined && name.trim() !== '') ?? c.sub,
    groups: new Set(c['cognito:groups']),
    scopes: new Set(c.scope),
  };
}
