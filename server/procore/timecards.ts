import type { QueryValue } from './http';
import type { Paged } from './pagination';
import {
  costCodeSchema,
  type ProcoreCostCode,
  type ProcoreTimecardEntry,
  type ProcoreTimeType,
  timecardEntrySchema,
  timeTypeSchema,
} from './schemas';
import { type CallOptions, call, idSegment, list, requireCompany, type SessionContext } from './session';

/** Timecard endpoints, company level (procore-api.md §5). */

/** The body fields of `timecard_entry` the product sends (§5.2); hours as a decimal string (§9.4). */
export interface TimecardEntryInput {
  date: string;
  hours?: string;
  time_in?: string;
  time_out?: string;
  lunch_time?: string;
  party_id?: string | number;
  timecard_time_type_id?: string | number;
  cost_code_id?: string | number;
  description?: string;
  billable?: boolean;
  approval_status?: 'pending' | 'reviewed' | 'approved' | 'completed';
  origin_id?: string | number;
  origin_data?: string;
}

/** An item of the company bulk body (§5.2): also takes `project_id` and `work_classification_id`. */
export interface BulkTimecardEntryInput extends TimecardEntryInput {
  project_id: string | number;
  work_classification_id?: string | number;
  user_id?: string | number;
}

export interface TimecardListOptions extends CallOptions {
  partyIds?: readonly (string | number)[];
  /** `YYYY-MM-DD`. */
  startDate?: string;
  endDate?: string;
  perPage?: number;
}

export function timecardEndpoints(ctx: SessionContext) {
  return {
    /**
     * A project's cost codes: `GET /rest/v1.0/cost_codes?project_id=` (Procore's documented
     * shape; procore-api.md does not cover cost codes). The company travels in the header.
     */
    listCostCodes(projectId: string, o: CallOptions & { perPage?: number } = {}): Paged<ProcoreCostCode> {
      requireCompany(ctx);
      return list(
        ctx,
        {
          path: '/rest/v1.0/cost_codes',
          query: { project_id: projectId },
          label: 'cost codes',
          perPage: o.perPage,
          signal: o.signal,
        },
        costCodeSchema,
      );
    },

    listTimecardEntries(o: TimecardListOptions = {}): Paged<ProcoreTimecardEntry> {
      const c = requireCompany(ctx);
      const query: Record<string, QueryValue> = {
        // Comma-separated, as Procore's generated SDK sends int arrays (§5.3).
        'filters[party_id]': o.partyIds?.length ? o.partyIds.join(',') : undefined,
        start_date: o.startDate,
        end_date: o.endDate,
      };
      return list(
        ctx,
        {
          path: `/rest/v1.0/companies/${c}/timecard_entries`,
          query,
          label: 'timecard entries',
          perPage: o.perPage,
          signal: o.signal,
        },
        timecardEntrySchema,
      );
    },

    /** §5.2: `project_id` beside `timecard_entry`; `date` required. Not resent after a lost answer. */
    createTimecardEntry(
      projectId: string | number,
      entry: TimecardEntryInput,
      o: CallOptions = {},
    ): Promise<ProcoreTimecardEntry> {
      const c = requireCompany(ctx);
      return call(ctx, {
        method: 'POST',
        path: `/rest/v1.0/companies/${c}/timecard_entries`,
        body: { project_id: projectId, timecard_entry: entry },
        label: 'timecard entry',
        schema: timecardEntrySchema,
        signal: o.signal,
      });
    },

    updateTimecardEntry(
      entryId: string,
      entry: Partial<TimecardEntryInput>,
      o: CallOptions = {},
    ): Promise<ProcoreTimecardEntry> {
      const c = requireCompany(ctx);
      return call(ctx, {
        method: 'PATCH',
        path: `/rest/v1.0/companies/${c}/timecard_entries/${idSegment(entryId)}`,
        body: { timecard_entry: entry },
        label: 'timecard entry',
        schema: timecardEntrySchema,
        signal: o.signal,
      });
    },

    /** `POST /companies/{id}/timesheets`, "Bulk Create Timecard Entries": 200 with the entries (§10.7). */
    bulkCreateTimecardEntries(
      entries: readonly BulkTimecardEntryInput[],
      o: CallOptions = {},
    ): Promise<ProcoreTimecardEntry[]> {
      const c = requireCompany(ctx);
      return call(ctx, {
        method: 'POST',
        path: `/rest/v1.0/companies/${c}/timesheets`,
        body: { timecard_entries: entries },
        label: 'timecard entries',
        schema: timecardEntrySchema,
        array: true,
        signal: o.signal,
      });
    },

    /** `GET /companies/{id}/timecard_time_types` → `[{id, time_type}]` (§5.1; not paginated). */
    listTimeTypes(o: CallOptions = {}): Promise<ProcoreTimeType[]> {
      const c = requireCompany(ctx);
      return call(ctx, {
        method: 'GET',
        path: `/rest/v1.0/companies/${c}/timecard_time_types`,
        label: 'time types',
        schema: timeTypeSchema,
        array: true,
        signal: o.signal,
      });
    },
  };
}

export type TimecardEndpoints = ReturnType<typeof timecardEndpoints>;
