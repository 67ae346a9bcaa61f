/** The API's OpenAPI document as `GET /openapi.json` serves it: compact JSON, and a strong ETag of those bytes. */
export interface ServedDocument {
  readonly body: string;
  readonly etag: string;
}

/**
 * The document as served. A deployed function computes it only in part: `cdk deploy` writes the ETag
 * into its bundle (`bundleDefinesOf` in `infra/constructs/consent-functions.ts`), which then has no use
 * for a hash. Hence `getBuiltinModule` rather than an import, which would load `node:crypto` at every
 * cold start of that bundle too.
 */
export function servedDocument(document: unknown): ServedDocument {
  const body = JSON.stringify(document);
  const { createHash } = process.getBuiltinModule('node:crypto');
  return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}
