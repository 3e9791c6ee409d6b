import { defineConfig } from 'vite';

const page = (name: string) => decodeURIComponent(new URL(name, import.meta.url).pathname);

// Two pages, built to dist/. `vite` (dev) proxies /api to a backend on its default port.
export default defineConfig({
  root: page('.'),
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    rollupOptions: {
      input: { catalog: page('index.html'), processing: page('processing.html') },
    },
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:3000' },
  },
});
