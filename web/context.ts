/** The Procore company the app was opened for: `?company_id=` from the manifest's URL. */
export function companyIdFromLocation(search: string): string | null {
  const value = new URLSearchParams(search).get('company_id');
  return value && /^\d{1,19}$/.test(value) ? value : null;
}
