import { defineConfig } from 'vite';

const page = (name: string) => decodeURIComponent(new URL(name, import.meta.url).pathname);

/**
 * Every page of the project in one build to dist/, sharing one browser library (src/lib) and its
 * chunks: the catalog (index.html), the processing page (processing.html), both served by the
 * frontend, and the producer's page with its dead-letter console (producer/index.html), served by
 * the producer service at its root. Asset URLs are absolute (/assets/…), right on both servers.
 * `vite` (dev) proxies /api to a backend on its default port.
 */
export default defineConfig({
  root: page('.'),
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    rollupOptions: {
      input: {
        catalog: page('index.html'),
        processing: page('processing.html'),
        producer: page('producer/index.html'),
      },
    },
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:3000' },
  },
});
