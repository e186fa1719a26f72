import { z } from 'zod';
import { procoreId } from './common';

/**
 * The permission manifest, `GET /rest/v1.0/settings/permissions` (procore-api.md §2.5). No OAS
 * extract covers it (shared/procore-oas has no file for it); the shape is the 2024 Python SDK's
 * (`RestV10SettingsPermissionsGet200Response…`), where every field is optional and `create_url`
 * and `can_create` are nullable.
 *
 * The app decides on three fields only: a tool's `name` / `friendly_name` and its
 * `user_access_level`. Those are type-checked (a wrong type there means the answer cannot be
 * trusted). Every other documented field is typed for callers but read leniently: a value of an
 * unexpected type becomes `null` instead of failing the whole manifest, because the live shape is
 * unconfirmed and a stray `trial: "false"` must not cost an admin the ability to connect.
 */

const lenient = <S extends z.ZodType>(schema: S) => schema.nullish().catch(null);

export const permittedActionSchema = z.looseObject({
  id: lenient(procoreId),
  action_name: lenient(z.string()),
  label: lenient(z.string()),
  tool_name: lenient(z.string()),
});

/** `{ id, name }`, e.g. `{ id: 3, name: "Admin" }`; the names (None / Read Only / Standard / Admin) are what matter. */
export const accessLevelSchema = z.looseObject({
  id: lenient(procoreId),
  name: z.string().nullish(),
});

export const permissionToolSchema = z.looseObject({
  id: lenient(procoreId),
  name: z.string().nullish(),
  friendly_name: z.string().nullish(),
  user_access_level: accessLevelSchema.nullish(),
  domain_id: lenient(procoreId),
  tab_group: lenient(z.string()),
  available_for_user: lenient(z.boolean()),
  url: lenient(z.string()),
  permitted_actions: lenient(z.array(permittedActionSchema)),
  create_url: lenient(z.string()),
  can_create: lenient(z.boolean()),
  trial: lenient(z.boolean()),
});
export type ProcorePermissionTool = z.output<typeof permissionToolSchema>;

/** The whole answer: `{ tools: [...] }`. A body without a `tools` list is not a manifest. */
export const permissionManifestSchema = z.looseObject({
  tools: z.array(permissionToolSchema),
});
