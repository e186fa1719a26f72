import { expect, test } from './fixtures';
import { screenshot } from './screenshots';

test.describe.configure({ timeout: 150_000 });

test('a Procore outage during a sync ends in a readable error, and Sync works again after', async ({
  page,
  adminApp: app,
}) => {
  // Every company-users request answers 503 from now on (after the sign-in, which used /me).
  const fault = await page.request.post('/_sandbox/faults', {
    data: { kind: 'error', status: 503, retry_after: 0, path: '/rest/**/users**' },
  });
  expect(fault.ok()).toBeTruthy();

  await app.getByRole('button', { name: 'Sync', exact: true }).click();
  const failure = app.getByRole('alert').filter({ hasText: 'The sync failed.' });
  await expect(failure).toBeVisible({ timeout: 120_000 });
  await expect(failure).toContainText(/Procore/);
  await expect(failure).toContainText('press Sync to try again');
  await expect(
    app
      .getByRole('table', { name: /User Sync Logs/ })
      .locator('tbody tr')
      .first(),
  ).toContainText('Failed');
  await screenshot(page, 'users-procore-outage');

  // The failed run's detail says what Procore answered, not that Procore listed nobody.
  await failure.getByRole('link', { name: 'View details' }).click();
  const empty = app.getByText(/^The sync failed before it recorded any user: .*Procore/);
  await expect(empty).toBeVisible();
  await expect(app.getByText('Procore returned no users')).toHaveCount(0);
  await screenshot(page, 'run-detail-failed');
  await app.getByRole('link', { name: '← User Sync Logs' }).click();

  await page.request.delete('/_sandbox/faults');
  await expect(app.getByRole('button', { name: 'Sync', exact: true })).toBeEnabled();
});
