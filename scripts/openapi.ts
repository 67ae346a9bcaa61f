import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { compileErrors, validate } from '@readme/openapi-parser';
import { generatedOpenApiText, OPENAPI_FILE } from '../shared/http/contract/openapi-file.js';

/**
 * `npm run openapi`: writes the API's OpenAPI 3.1 document, generated from the route registry
 * (`shared/http/contract/routes.ts`), to `openapi.json`. `npm run openapi -- --check` writes nothing and
 * exits with 1 if the checked-in file differs from what the registry generates.
 */
const USAGE = 'usage: npm run openapi [-- --check]';
const args = process.argv.slice(2);
if (args.some((arg) => arg !== '--check')) {
  console.error(`unknown argument: ${args.filter((arg) => arg !== '--check').join(' ')}\n${USAGE}`);
  process.exit(2);
}

const text = generatedOpenApiText();
const result = await validate(JSON.parse(text));
if (!result.valid) {
  console.error(compileErrors(result));
  process.exit(1);
}

const current = existsSync(OPENAPI_FILE) ? readFileSync(OPENAPI_FILE, 'utf8') : undefined;
if (args.includes('--check')) {
  if (current !== text) {
    console.error('openapi.json is not what the route registry generates; run npm run openapi and commit it.');
    process.exit(1);
  }
  console.log('openapi.json is up to date.');
} else if (current === text) {
  console.log('openapi.json is up to date.');
} else {
  writeFileSync(OPENAPI_FILE, text);
  console.log('openapi.json written.');
}
