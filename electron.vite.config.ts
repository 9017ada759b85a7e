// electron-vite: main (CJS, dependencies left to node_modules), the sandboxed preload (one CJS
// file with everything bundled: a sandboxed preload cannot require packages), and the React
// renderer. Outputs: out/main/index.js, out/preload/index.js, out/renderer/index.html.
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

const root = __dirname;

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      externalizeDeps: true,
      lib: { entry: resolve(root, 'src/main/index.ts'), formats: ['cjs'] },
      rolldownOptions: { output: { entryFileNames: 'index.js' } },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      // Sandboxed: no require() of node_modules at run time, so zod and the contract are bundled.
      externalizeDeps: false,
      isolatedEntries: true,
      lib: { entry: resolve(root, 'src/preload/index.ts'), formats: ['cjs'] },
      rolldownOptions: { output: { entryFileNames: 'index.js' } },
    },
  },
  renderer: {
    root: resolve(root, 'src/renderer'),
    plugins: [react({})],
    build: {
      outDir: resolve(root, 'out/renderer'),
      rolldownOptions: { input: resolve(root, 'src/renderer/index.html') },
    },
  },
});
