import type { QueryValue } from './http';
import type { Paged } from './pagination';
import {
  companyMeSchema,
  companySchema,
  companyUserSchema,
  meSchema,
  type ProcoreCompany,
  type ProcoreCompanyMe,
  type ProcoreCompanyUser,
  type ProcoreMe,
  type ProcorePerson,
  type ProcoreProject,
  type ProcoreWorkClassification,
  personSchema,
  projectSchema,
  workClassificationSchema,
} from './schemas';
import { type CallOptions, call, idSegment, list, requireCompany, type SessionContext } from './session';

/** Directory endpoints (procore-api.md §1.5, §2, §3, §4). */

export interface UserListOptions extends CallOptions {
  /** Only users changed at or after this instant: `filters[updated_at]` range (§2.3). */
  updatedSince?: Date;
  /** Upper end of that range; defaults to a day ahead, so Procore's clock running ahead loses nothing. */
  updatedUntil?: Date;
  search?: string;
  perPage?: number;
}

export interface PeopleListOptions extends CallOptions {
  isEmployee?: boolean;
  referenceUsersOnly?: boolean;
  search?: string;
  perPage?: number;
}

export interface PersonInput {
  last_name: string;
  first_name?: string | null;
  is_employee?: boolean;
  employee_id?: string | null;
  active?: boolean;
  origin_id?: string | null;
  job_title?: string | null;
  work_classification_id?: string | number | null;
}

/** `2024-03-01T14:22:10Z`: the date-time form of Procore's range filters (§2.3). */
function isoSeconds(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

export function directoryEndpoints(ctx: SessionContext) {
  return {
    /** `GET /rest/v1.0/me` (§1.5). */
    me(o: CallOptions = {}): Promise<ProcoreMe> {
      return call(ctx, {
        method: 'GET',
        path: '/rest/v1.0/me',
        label: 'me',
        schema: meSchema,
        signal: o.signal,
      });
    },

    /** `GET /rest/v1.0/companies`: for the service account, the companies that installed the app (§1.4). */
    companies(o: CallOptions = {}): Paged<ProcoreCompany> {
      return list(ctx, { path: '/rest/v1.0/companies', label: 'companies', signal: o.signal }, companySchema);
    },

    /** The caller's own company-user record (§1.5). */
    companyMe(o: CallOptions = {}): Promise<ProcoreCompanyMe> {
      const c = requireCompany(ctx);
      return call(ctx, {
        method: 'GET',
        path: `/rest/v1.3/companies/${c}/me`,
        label: 'company me',
        schema: companyMeSchema,
        signal: o.signal,
      });
    },

    /** Active company users, v1.3 (§2.1), page by page. */
    listCompanyUsers(o: UserListOptions = {}): Paged<ProcoreCompanyUser> {
      const c = requireCompany(ctx);
      const query: Record<string, QueryValue> = { 'filters[search]': o.search };
      if (o.updatedSince) {
        const until = o.updatedUntil ?? new Date(Date.now() + 24 * 3_600_000);
        query['filters[updated_at]'] = `${isoSeconds(o.updatedSince)}...${isoSeconds(until)}`;
      }
      return list(
        ctx,
        {
          path: `/rest/v1.3/companies/${c}/users`,
          query,
          label: 'users',
          perPage: o.perPage,
          signal: o.signal,
        },
        companyUserSchema,
      );
    },

    /** Inactive company users (§2.1: a separate v1.0 list). */
    listInactiveCompanyUsers(
      o: Omit<UserListOptions, 'updatedSince' | 'updatedUntil'> = {},
    ): Paged<ProcoreCompanyUser> {
      const c = requireCompany(ctx);
      return list(
        ctx,
        {
          path: `/rest/v1.0/companies/${c}/users/inactive`,
          label: 'inactive users',
          perPage: o.perPage,
          signal: o.signal,
        },
        companyUserSchema,
      );
    },

    getCompanyUser(userId: string, o: CallOptions = {}): Promise<ProcoreCompanyUser> {
      const c = requireCompany(ctx);
      return call(ctx, {
        method: 'GET',
        path: `/rest/v1.3/companies/${c}/users/${idSegment(userId)}`,
        label: 'user',
        schema: companyUserSchema,
        signal: o.signal,
      });
    },

    listWorkClassifications(o: CallOptions = {}): Paged<ProcoreWorkClassification> {
      const c = requireCompany(ctx);
      return list(
        ctx,
        {
          path: `/rest/v1.0/companies/${c}/work_classifications`,
          label: 'work classifications',
          signal: o.signal,
        },
        workClassificationSchema,
      );
    },

    /** §3: body wrapped in `work_classification`; 201 with the object, 422 when refused. */
    createWorkClassification(
      input: { name: string; abbreviation?: string },
      o: CallOptions = {},
    ): Promise<ProcoreWorkClassification> {
      const c = requireCompany(ctx);
      return call(ctx, {
        method: 'POST',
        path: `/rest/v1.0/companies/${c}/work_classifications`,
        body: { work_classification: input },
        label: 'work classification',
        schema: workClassificationSchema,
        signal: o.signal,
      });
    },

    /** `GET /rest/v1.0/projects?company_id=`: the company's projects the caller can see. */
    listProjects(o: CallOptions = {}): Paged<ProcoreProject> {
      const c = requireCompany(ctx);
      return list(
        ctx,
        { path: '/rest/v1.0/projects', query: { company_id: c }, label: 'projects', signal: o.signal },
        projectSchema,
      );
    },

    /** Company people: users and reference users (§4); `id` is a timecard's `party_id` (§5.4). */
    listPeople(o: PeopleListOptions = {}): Paged<ProcorePerson> {
      const c = requireCompany(ctx);
      const query: Record<string, QueryValue> = {
        'filters[is_employee]': o.isEmployee,
        'filters[reference_users_only]': o.referenceUsersOnly,
        'filters[search]': o.search,
      };
      return list(
        ctx,
        {
          path: `/rest/v1.0/companies/${c}/people`,
          query,
          label: 'people',
          perPage: o.perPage,
          signal: o.signal,
        },
        personSchema,
      );
    },

    /**
     * People deactivated in Procore (`GET …/people/inactive`, same filters and shape as the list):
     * the active list leaves them out, so a lookup by `origin_id` that skipped them would make a
     * second contact for someone Procore merely deactivated.
     */
    listInactivePeople(o: PeopleListOptions = {}): Paged<ProcorePerson> {
      const c = requireCompany(ctx);
      const query: Record<string, QueryValue> = {
        'filters[is_employee]': o.isEmployee,
        'filters[reference_users_only]': o.referenceUsersOnly,
        'filters[search]': o.search,
      };
      return list(
        ctx,
        {
          path: `/rest/v1.0/companies/${c}/people/inactive`,
          query,
          label: 'inactive people',
          perPage: o.perPage,
          signal: o.signal,
        },
        personSchema,
      );
    },

    /**
     * Creates a reference user (§4). Not resent after a lost answer (http.ts): on
     * `mayHaveApplied` the caller finds it by `origin_id` in `listPeople` first.
     */
    createPerson(person: PersonInput, o: CallOptions = {}): Promise<ProcorePerson> {
      const c = requireCompany(ctx);
      return call(ctx, {
        method: 'POST',
        path: `/rest/v1.0/companies/${c}/people`,
        body: { person },
        label: 'person',
        schema: personSchema,
        signal: o.signal,
      });
    },

    updatePerson(
      personId: string,
      person: Partial<PersonInput>,
      o: CallOptions = {},
    ): Promise<ProcorePerson> {
      const c = requireCompany(ctx);
      return call(ctx, {
        method: 'PATCH',
        path: `/rest/v1.0/companies/${c}/people/${idSegment(personId)}`,
        body: { person },
        label: 'person',
        schema: personSchema,
        signal: o.signal,
      });
    },
  };
}

export type DirectoryEndpoints = ReturnType<typeof directoryEndpoints>;
