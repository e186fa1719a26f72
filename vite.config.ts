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
    // The fault suite (tests/faults/) kills and restarts whole app processes: `npm test` runs it
    // after the rest (FAULTS=1), alone, so its timings are not shared with the other files.
    // `*.pg.test.ts` need a real PostgreSQL server (connections cut, restarts): collected only where
    // TEST_DATABASE_URL names one, as in CI.
    include: process.env.FAULTS ? ['tests/faults/**/*.test.ts'] : ['tests/**/*.test.{ts,tsx}'],
    exclude: [
      '**/node_modules/**',
      ...(process.env.FAULTS ? [] : ['tests/faults/**']),
      ...(process.env.TEST_DATABASE_URL ? [] : ['tests/**/*.pg.test.ts']),
    ],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['tests/helpers/global-setup.ts'],
  },
});
