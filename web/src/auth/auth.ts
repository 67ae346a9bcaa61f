import type { SignedInUser } from './token-claims.js';

/**
 * Signing in and out, whichever way the deployment does it (the local form, or Cognito's managed login).
 * The console asks for a token before each call and learns who is signed in from it.
 */
export interface Auth {
  readonly kind: 'local' | 'cognito';
  /** Finishes a sign-in that came back to the console; resolves to the path to return to, if any. */
  start(): Promise<string | undefined>;
  /** The signed-in user, or `undefined`; an expired token counts as nobody. */
  user(): SignedInUser | undefined;
  /** A token for the next API call, or `undefined` when nobody is signed in. */
  token(): Promise<string | undefined>;
  /** Drops the token the API refused, so that the console asks the person to sign in again. */
  forget(): Promise<void>;
  signOut(): Promise<void>;
}
