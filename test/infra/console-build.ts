import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A stand-in for the output of `npm run build:console`, so that the infra suite needs no web build: an
 * `index.html` naming one hashed script, as Vite writes it with `base: '/console/'`.
 */
export interface ConsoleBuild {
  readonly path: string;
  readonly remove: () => void;
}

export const CONSOLE_SCRIPT = 'index-a1b2c3d4.js';

export function consoleBuild(): ConsoleBuild {
  const path = mkdtempSync(join(tmpdir(), 'console-build-'));
  mkdirSync(join(path, 'assets'));
  writeFileSync(
    join(path, 'index.html'),
    `<!doctype html><html><head><script type="module" src="/console/assets/${CONSOLE_SCRIPT}"></script></head></html>\n`,
  );
  writeFileSync(join(path, 'assets', CONSOLE_SCRIPT), 'document.title = "console";\n');
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
