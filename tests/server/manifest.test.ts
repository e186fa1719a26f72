import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  COMPANY_ID_QUERY,
  COMPANY_ID_TEMPLATE,
  REQUIRED_COMPANY_PERMISSIONS,
} from '../../server/install/manifest';
import { companyIdFromLocation } from '../../web/context';

const manifest = JSON.parse(readFileSync('procore-manifest.json', 'utf8'));

describe('procore-manifest.json', () => {
  it('is a v4.1 manifest with post-installation notes', () => {
    expect(manifest.schema_version).toBe('4.1');
    expect(manifest.post_installation_instruction.notes.length).toBeGreaterThan(50);
    expect(manifest.post_installation_instruction.page.url).toMatch(/^https:\/\//);
  });

  it('opens a company-level full-screen component at the URL the app reads the company from', () => {
    const url = new URL(manifest.fullscreen.source_url.replace(COMPANY_ID_TEMPLATE, '4280001'));
    expect(url.protocol).toBe('https:');
    expect(url.searchParams.get(COMPANY_ID_QUERY)).toBe('4280001');
    expect(companyIdFromLocation(url.search)).toBe('4280001');
    expect(manifest.sidepanel).toBeUndefined();
  });

  it('asks for exactly the permissions the code uses, and no project permissions', () => {
    expect(manifest.permissions.company).toEqual(REQUIRED_COMPANY_PERMISSIONS);
    expect(manifest.permissions.project).toEqual({});
  });
});
