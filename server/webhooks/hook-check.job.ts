import { z } from 'zod';
import { numericId } from '../api.schemas';
import type { CompaniesService } from '../companies/companies.service';
import { defineJob } from '../jobs/job';
import type { Jobs } from '../jobs/jobs';
import type { HooksService } from './hooks.service';

interface HookCheckDeps {
  jobs: Jobs;
  companies: Pick<CompaniesService, 'listConnectedIds'>;
  hooks: Pick<HooksService, 'check'>;
}

/** Checks (and repairs) one company's hook. */
export const hookCheckJob = defineJob({
  name: 'webhook-hook-check',
  payload: z.object({ companyId: numericId }),
  queue: { policy: 'short', retryLimit: 2, retryDelay: 60 },
  consume: { pollingIntervalSeconds: 5 },
  handle: async (payload, deps: HookCheckDeps) => {
    await deps.hooks.check(payload.companyId);
  },
});

/** Once an hour, fanned out to one check per connected company. */
export const hookCheckTickJob = defineJob({
  name: 'webhook-hook-check-tick',
  payload: z.object({}).loose(),
  schedule: '41 * * * *',
  consume: { pollingIntervalSeconds: 5 },
  handle: async (_payload, deps: HookCheckDeps) => {
    for (const companyId of await deps.companies.listConnectedIds()) {
      await deps.jobs.send(hookCheckJob, { companyId }, { singletonKey: companyId });
    }
  },
});
