import { z } from 'zod';

/** Shapes shared by every route of the JSON API: ids are decimal strings (64-bit safe). */
export const numericId = z.string().regex(/^\d{1,19}$/, 'expected a numeric id');

/** Every `/api` route belongs to a company (`/api/companies/:companyId/…`). */
export const companyParamsSchema = z.object({ companyId: numericId });

/** What a run did with one user (a run's entry's result), in the logs and a worker's history. */
export const entryActionSchema = z.enum([
  'created',
  'updated',
  'unchanged',
  'deactivated',
  'reactivated',
  'skipped',
  'failed',
  'would_deactivate',
]);
