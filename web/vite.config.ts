import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { CONSOLE_BASE } from './src/base.js';

/**
 * The operator console: a static app served under `/console/` (by the local stack, and by CloudFront in
 * AWS). `config.json` beside `index.html` is not part of the build: it is written per deployment.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: CONSOLE_BASE,
  publicDir: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    rollupOptions: {
      // The console's page, and the elements alone for host pages under a name that does not change.
      input: { console: 'index.html', embed: 'src/embed.ts' },
      output: {
        entryFileNames: (chunk) => (chunk.name === 'embed' ? 'embed.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
});
