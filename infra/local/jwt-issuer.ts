import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { createHash, randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';

/**
 * Plays Cognito's part on the local stack: signs access tokens with a local RSA key, and verifies them
 * with aws-jwt-verify as API Gateway's JWT authorizer would. The key is created on first use and kept in
 * `.local/` (git-ignored), so that `npm run token` and a running stack agree.
 */
export const LOCAL_ISSUER = 'https://local-cognito.invalid/whatsapp-consent';
const KEY_ID = 'local-1';
export const TOKEN_LIFETIME_SECONDS = 60 * 60;

interface KeyFile {
  privateJwk: JWK;
  publicJwk: JWK;
}

export function defaultKeyFile(projectRoot: string): string {
  return join(projectRoot, '.local', 'jwt-signing-key.json');
}

async function loadOrCreateKeys(keyFile: string): Promise<KeyFile> {
  try {
    return JSON.parse(await readFile(keyFile, 'utf8')) as KeyFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const keys: KeyFile = {
    privateJwk: { ...(await exportJWK(privateKey)), kid: KEY_ID, alg: 'RS256' },
    publicJwk: { ...(await exportJWK(publicKey)), kid: KEY_ID, alg: 'RS256', use: 'sig' },
  };
  await mkdir(dirname(keyFile), { recursive: true });
  // Written aside, then linked into place: the link is atomic and fails if another process (a stack and
  // a token command started together) created the file first, and nobody ever reads a half-written key.
  const draft = `${keyFile}.${process.pid}.tmp`;
  await writeFile(draft, JSON.stringify(keys), { mode: 0o600 });
  try {
    await link(draft, keyFile);
    return keys;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return JSON.parse(await readFile(keyFile, 'utf8')) as KeyFile;
  } finally {
    await unlink(draft);
  }
}

export interface TokenRequest {
  user: string;
  groups?: string[];
  scopes?: string[];
  /** Seconds until expiry; negative makes an expired token (for tests). */
  expiresIn?: number;
  issuer?: string;
  /** `id` signs an ID token's `token_use` instead, which the API refuses (for tests). */
  tokenUse?: 'access' | 'id';
}

/** Signs a Cognito-shaped access token. The `sub` is stable per user name. */
export async function issueToken(keyFile: string, request: TokenRequest): Promise<string> {
  const { privateJwk } = await loadOrCreateKeys(keyFile);
  const key = await importJWK(privateJwk, 'RS256');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    username: request.user,
    'cognito:groups': request.groups ?? [],
    scope: (request.scopes ?? []).join(' '),
    token_use: request.tokenUse ?? 'access',
    client_id: 'local-client',
    jti: randomUUID(),
  })
    .setProtectedHeader({ alg: 'RS256', kid: KEY_ID })
    .setIssuer(request.issuer ?? LOCAL_ISSUER)
    .setSubject(stableSubject(request.user))
    .setIssuedAt(now)
    .setExpirationTime(now + (request.expiresIn ?? TOKEN_LIFETIME_SECONDS))
    .sign(key);
}

/** Verifies local tokens; resolves to their claims, or rejects. */
export async function createTokenVerifier(keyFile: string): Promise<(token: string) => Promise<JwtPayload>> {
  const { publicJwk } = await loadOrCreateKeys(keyFile);
  const verifier = JwtRsaVerifier.create({ issuer: LOCAL_ISSUER, audience: null, jwksUri: `${LOCAL_ISSUER}/.well-known/jwks.json` });
  verifier.cacheJwks({ keys: [publicJwk as never] });
  return (token) => verifier.verify(token);
}

function stableSubject(user: string): string {
  const hex = createHash('sha256').update(`local-user:${user}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
