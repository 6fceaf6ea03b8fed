import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The server (packages/server) serves dist/ at `/`; during `vite dev` the API is proxied.
export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: {
    proxy: {
      '/v1': process.env.TABLEHOOKS_API ?? 'http://127.0.0.1:3000',
    },
  },
});
