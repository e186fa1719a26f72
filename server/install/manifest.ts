/**
 * The Procore permissions the code needs, at least privilege (procore-app.md §1.2: permissions are
 * tool levels, applied to the service account at install). `procore-manifest.json` must ask for
 * exactly these; a test keeps the two in step.
 */
export const REQUIRED_COMPANY_PERMISSIONS = {
  // Company users (active and inactive), work classifications, the signed-in user's own record.
  directory: 'readonly',
  // The company's webhook hook and its Company Users triggers (procore-api.md §6.1: Standard).
  webhooks_api: 'standard',
} as const;

/** The iframe is opened with the company it belongs to (procore-app.md §1.4 interpolation). */
export const COMPANY_ID_QUERY = 'company_id';
export const COMPANY_ID_TEMPLATE = '{{procore.company.id}}';
