import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { getCountries, getExampleNumber, parsePhoneNumberFromString as parseWithMax } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';
import { normalisePhone } from '../../../shared/domain/phone.js';

describe('normalisePhone', () => {
  it.each([
    ['+420 777 123 456', '+420777123456'],
    ['00420777123456', '+420777123456'],
    ['+420777123456', '+420777123456'],
    ['420777123456', '+420777123456'],
    ['+55 41 99214-6473', '+5541992146473'],
  ])('reads %j as %s', (input, expected) => {
    expect(normalisePhone(input)).toEqual({ ok: true, phone: expected });
  });

  it.each(['', 'abc', '+420777123456abc', 'call me at +420 777 123 456', 'tel:+420777123456', '+420777123456;', '777 123 456', '+420 777 123 456 ext 5', '+420777123456789', `+${'1'.repeat(70)}`, "1' OR '1'='1"])(
    'refuses %j',
    (input) => {
      expect(normalisePhone(input).ok).toBe(false);
    },
  );

  it('is idempotent: normalising a normalised number gives it back', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (input) => {
        const first = normalisePhone(input);
        if (!first.ok) return;
        expect(normalisePhone(first.phone)).toEqual(first);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('the phone metadata', () => {
  const PHONE = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'domain', 'phone.ts')).href;

  it('is loaded when a number is first read, not when the module is: a cold start that reads none does not pay for it', () => {
    const script = [
      "import { createRequire } from 'node:module';",
      'const { cache } = createRequire(import.meta.url);',
      "const loaded = () => Object.keys(cache).some((path) => path.endsWith('libphonenumber-js/metadata.max.json'));",
      `const { normalisePhone } = await import(${JSON.stringify(PHONE)});`,
      'const atImport = loaded();',
      "const phone = normalisePhone('+420 777 123 456');",
      'console.log(JSON.stringify({ atImport, afterUse: loaded(), phone }));',
    ].join('\n');
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(result.stderr);

    expect(JSON.parse(result.stdout)).toEqual({ atImport: false, afterUse: true, phone: { ok: true, phone: '+420777123456' } });
  });

  it('is a file beside a bundle built as `cdk deploy` builds it, read on first use, not code in the bundle', async () => {
    const { BUNDLING, copyFilesBeside } = await import('../../../infra/constructs/consent-function.js');
    const directory = mkdtempSync(join(tmpdir(), 'phone-bundle-'));
    try {
      const outfile = join(directory, 'index.mjs');
      const { metafile } = await build({
        entryPoints: [fileURLToPath(PHONE)],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: BUNDLING.target,
        minify: BUNDLING.minify,
        mainFields: BUNDLING.mainFields,
        banner: { js: BUNDLING.banner },
        define: BUNDLING.define,
        metafile: true,
        logLevel: 'silent',
      });
      copyFilesBeside(metafile, directory);
      const script = `const { normalisePhone } = await import(${JSON.stringify(pathToFileURL(outfile).href)}); console.log(JSON.stringify(['+420 777 123 456', '+420 123'].map(normalisePhone)));`;
      const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
      if (result.status !== 0) throw new Error(result.stderr);

      expect(Object.keys(metafile.inputs).filter((input) => input.endsWith('.json'))).toEqual([]);
      expect(readdirSync(directory).sort()).toEqual(['index.mjs', 'metadata.max.json']);
      expect(JSON.parse(result.stdout)).toEqual([{ ok: true, phone: '+420777123456' }, { ok: false, reason: 'is not a valid international phone number' }]);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('gives the answers of libphonenumber-js/max: every example number of every country, in several forms, and any text', () => {
    const forms = (e164: string) => [e164, `00${e164.slice(1)}`, e164.slice(1), `${e164.slice(0, 4)} ${e164.slice(4)}`, `${e164}5`, e164.slice(0, -1)];
    const inputs = getCountries().flatMap((country) => {
      const example = getExampleNumber(country, examples);
      return example ? forms(example.number) : [];
    });
    expect(inputs.length).toBeGreaterThan(1000);
    const viaMax = (input: string) => {
      const parsed = parseWithMax(input.startsWith('00') ? `+${input.slice(2)}` : /^\d/.test(input) ? `+${input}` : input, { extract: false });
      return parsed?.isValid() && !parsed.ext ? parsed.number : undefined;
    };
    const viaService = (input: string) => {
      const result = normalisePhone(input);
      return result.ok ? result.phone : undefined;
    };

    expect(inputs.map(viaService)).toEqual(inputs.map(viaMax));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 24 }), fc.stringMatching(/^\+?[0-9 ]{4,20}$/)), (input) => {
        expect(viaService(input)).toBe(viaMax(input.trim()));
      }),
      { numRuns: 5000 },
    );
  });
});
