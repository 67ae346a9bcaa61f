import { createHash } from 'node:crypto';
import document from '../../openapi.json' with { type: 'json' };
import { publicHttpApi } from '../../shared/http/http-api.js';
import type { PublicRouteHandler } from '../../shared/http/types.js';

/**
 * The checked-in document (`npm run openapi` generates it from the route registry, and the unit tests
 * fail when it is stale) is bundled as JSON: building it here would bundle zod, every schema and
 * libphonenumber's metadata, and convert them on every cold start, to produce the same bytes.
 */
const body = JSON.stringify(document);
const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
/** The document changes only with a deployment. */
const CACHE_CONTROL = 'public, max-age=300';

/** Whether an `If-None-Match` header names this version of the document (`*`, or a list of tags, weak or not). */
function unchanged(ifNoneMatch: string | undefined): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '') === etag;
  });
}

/** `GET /openapi.json`: the API's contract, open to anyone. */
export const openApiDocument: PublicRouteHandler = async (event) => {
  const headers = { 'cache-control': CACHE_CONTROL, etag };
  // Header names are lower-cased by the wrapper; `request.js` is not imported, it would bundle the phone metadata.
  if (unchanged(event.headers['if-none-match'])) return { statusCode: 304, headers };
  return { statusCode: 200, headers: { ...headers, 'content-type': 'application/json' }, body };
};

export const handler = publicHttpApi({ 'GET /openapi.json': openApiDocument });
