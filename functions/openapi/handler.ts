import document from '../../openapi.json' with { type: 'json' };
import { NotFoundError } from '../../shared/domain/errors.js';
import { onFirstUse } from '../../shared/domain/on-first-use.js';
import { servedDocument, type ServedDocument } from '../../shared/http/contract/served-document.js';
import { problem } from '../../shared/http/responses.js';
import type { HttpEvent, HttpResult } from '../../shared/http/types.js';

/**
 * The document's ETag, written into the deployed bundle by `cdk deploy` (esbuild's `define`,
 * `bundleDefinesOf` in `infra/constructs/consent-functions.ts`), which also ships `openapi.json` beside
 * it (`FILES_BESIDE_BUNDLE`); unset when run from source.
 */
declare const BUNDLED_OPENAPI_ETAG: string | undefined;

/**
 * The checked-in document (`npm run openapi` generates it from the route registry, and the unit tests
 * fail when it is stale), read on the first request: a cold start then loads neither the document's
 * text nor `node:crypto` (building the document here would even bundle zod, every schema and
 * libphonenumber's metadata, to produce the same bytes).
 */
const served = onFirstUse(
  (): ServedDocument =>
    typeof BUNDLED_OPENAPI_ETAG === 'string'
      ? { body: JSON.stringify(JSON.parse(bundledDocumentText())), etag: BUNDLED_OPENAPI_ETAG }
      : servedDocument(document),
);

/**
 * `openapi.json` beside the deployed bundle. `getBuiltinModule`, not an import: importing `node:fs` as
 * an ES module sets up every export it has, `fs.promises` with them, which would be most of this
 * function's cold start.
 */
function bundledDocumentText(): string {
  return process.getBuiltinModule('node:fs').readFileSync(new URL('./openapi.json', import.meta.url), 'utf8');
}

/** The document changes only with a deployment. */
const CACHE_CONTROL = 'public, max-age=300';

/** Whether an `If-None-Match` header names this version of the document (`*`, or a list of tags, weak or not). */
function unchanged(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '') === etag;
  });
}

const ROUTE = 'GET /openapi.json';

/**
 * `GET /openapi.json`: the API's contract, open to anyone. Like `/health`, a plain handler without the
 * middy chain and Powertools: it makes no AWS call, has nothing to count and nothing that can fail, and
 * that chain would be most of its cold start (`npm run size`). Lambda's active tracing still records
 * each invocation.
 */
export async function handler(event: HttpEvent): Promise<HttpResult> {
  if (event.routeKey !== ROUTE) return problem(new NotFoundError(`No route ${event.routeKey}.`));
  const { body, etag } = served();
  const headers = { 'cache-control': CACHE_CONTROL, etag };
  // API Gateway's payload 2.0 names headers in lower case. `request.js` is not imported: it would bundle the phone metadata.
  if (unchanged(event.headers['if-none-match'], etag)) return { statusCode: 304, headers };
  return { statusCode: 200, headers: { ...headers, 'content-type': 'application/json' }, body };
}
