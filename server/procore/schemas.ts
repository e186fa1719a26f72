/**
 * One zod schema per Procore resource, parsed where a response enters the app.
 * Split by area under `schemas/`; import from here.
 */
export * from './schemas/common';
export * from './schemas/directory';
export * from './schemas/errors';
export * from './schemas/oauth';
export * from './schemas/permissions';
export * from './schemas/storable';
export * from './schemas/timecards';
export * from './schemas/webhooks';
