import { appFrame } from './app';
import { expect, test } from './fixtures';

test('Autosync and Sync Classifications are saved at once and survive a reload', async ({
  page,
  adminApp,
}) => {
  let app = adminApp;
  const autosync = () => app.getByRole('switch', { name: /Autosync/ });
  const classifications = () => app.getByRole('checkbox', { name: 'Sync Classifications' });
  await expect(autosync()).toBeEnabled();

  const autosyncWas = await autosync().isChecked();
  const classificationsWas = await classifications().isChecked();
  await autosync().click();
  await expect(app.locator('#setting-autosync-status')).toHaveText('Saved');
  await classifications().click();
  await expect(app.locator('#setting-syncClassifications-status')).toHaveText('Saved');

  await page.reload();
  app = appFrame(page); // the session is in the frame's sessionStorage: no new sign-in
  await expect(autosync()).toBeChecked({ checked: !autosyncWas });
  await expect(classifications()).toBeChecked({ checked: !classificationsWas });
  // Under the switch: when users will sync next, or that only Sync syncs them.
  await expect(app.getByTestId('autosync-schedule')).toContainText(
    autosyncWas ? 'Users sync only when someone presses Sync' : /Next automatic sync .*\d{1,2}:\d{2}/,
  );

  // And back again: each saves the other way too.
  await autosync().click();
  await expect(app.locator('#setting-autosync-status')).toHaveText('Saved');
  if (!autosyncWas) {
    await expect(app.getByTestId('autosync-schedule')).toContainText(
      'Users sync only when someone presses Sync',
    );
  }
  await classifications().click();
  await expect(app.locator('#setting-syncClassifications-status')).toHaveText('Saved');
});
