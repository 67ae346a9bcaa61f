import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildOpenApiDocument, documentText } from './document.js';
import { apiRoutes } from './routes.js';

/** Where the generated document is checked in, at the repository's root; the openapi function serves it. */
export const OPENAPI_FILE = fileURLToPath(new URL('../../../openapi.json', import.meta.url));
const PACKAGE_FILE = new URL('../../../package.json', import.meta.url);

/** What `openapi.json` must hold for the route registry and package.json's version. */
export function generatedOpenApiText(): string {
  const { version } = JSON.parse(readFileSync(PACKAGE_FILE, 'utf8')) as { version: string };
  return documentText(buildOpenApiDocument(apiRoutes, { version }));
}
