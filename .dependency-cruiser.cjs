/**
 * The import rules CI holds (`npm run lint`). Each names what it protects; `npm run deps` prints
 * the violations.
 */
const FEATURES = [
  'companies',
  'runs',
  'settings',
  'workers',
  'sync',
  'webhooks',
  'install',
  'procore',
  'retention',
  'alerts',
];

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle ties modules together so neither can change alone.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'web-sees-server-only-through-api-types',
      severity: 'error',
      comment: 'The iframe app knows the server only by the API types in web/api-types.ts.',
      from: { path: '^web/', pathNot: '^web/api-types\\.ts$' },
      to: { path: '^server/' },
    },
    {
      name: 'api-types-are-types-only',
      severity: 'error',
      comment: 'web/api-types.ts may take types from the server, never code.',
      from: { path: '^web/api-types\\.ts$' },
      to: { path: '^server/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'sandbox-stands-alone',
      severity: 'error',
      comment: 'The Procore simulator behaves like Procore: it knows nothing of the product.',
      from: { path: '^server/sandbox/' },
      to: { path: '^server/', pathNot: '^server/sandbox/' },
    },
    {
      name: 'product-does-not-use-the-sandbox',
      severity: 'error',
      comment: 'Only main.ts starts the sandbox (sandbox mode); the product talks to Procore.',
      from: { path: '^server/', pathNot: ['^server/sandbox/', '^server/main\\.ts$'] },
      to: { path: '^server/sandbox/' },
    },
    {
      name: 'migrations-are-frozen',
      severity: 'error',
      comment: 'A migration must not change when app code does.',
      from: { path: '^migrations/' },
      to: { path: '^server/' },
    },
    {
      name: 'one-owner-per-table',
      severity: 'error',
      comment: "A feature calls another feature's service, never its repository.",
      from: { path: `^server/(${FEATURES.join('|')})/` },
      to: {
        path: '^server/([^/]+)/.*\\.repository\\.ts$',
        pathNot: '^server/$1/',
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: ['^node_modules', '^dist', '^build'] },
  },
};
