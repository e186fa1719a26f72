import preact from '@preact/preset-vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: 'web',
  plugins: [preact()],
  build: {
    outDir: '../dist',
    emptyOutDir: true,
    sourcemap: true,
    rollupOptions: { input: { main: 'web/index.html', popup: 'web/auth-popup.html' } },
  },
  server: { port: 5173, proxy: { '/api': 'http://localhost:3000', '/auth': 'http://localhost:3000' } },
  test: {
    root: '.',
    include: ['tests/**/*.test.{ts,tsx}'],
    // `*.pg.test.ts` need a real PostgreSQL server (connections cut, restarts): collected only where
    // TEST_DATABASE_URL names one, as in CI.
    exclude: process.env.TEST_DATABASE_URL
      ? ['**/node_modules/**']
      : ['**/node_modules/**', 'tests/**/*.pg.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['tests/helpers/global-setup.ts'],
  },
});
