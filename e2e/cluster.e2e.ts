import { expect, test } from '@playwright/test';
import { join } from 'node:path';
import { OUTPUT_DIR, workbenchPerFile, expectAccessible } from './launch';

/**
 * The cluster setting in the status bar, in browser mode: a URL that would expose the lab's
 * jobs is refused with the reason, a Redis that does not answer is shown as unreachable and
 * retried while work stays here, and the URL's password never appears on the page.
 */
const workbench = workbenchPerFile();

test('a researcher sets the Redis of the lab cluster from the status bar; its password is never shown', async () => {
  const { page, errors } = await workbench.open();
  const cluster = page.getByTestId('cluster');
  await expect(cluster).toContainText('none (every run trains here)');

  await page.getByTestId('cluster-settings').click();
  const url = page.getByTestId('redis-url');
  await expect(url).toHaveAttribute('type', 'password');

  // No password, no TLS, another machine: refused, with what to do.
  await url.fill('redis://lab-redis.example:6379');
  await page.getByRole('button', { name: 'Save and connect' }).click();
  await expect(page.getByRole('alert')).toContainText('has no password and reaches another machine without TLS');
  await expect(cluster).toContainText('none (every run trains here)');

  // A password to a Redis that does not answer (nothing listens on port 1): saved, shown unreachable and retried.
  await url.fill('redis://:topsecret-e2e@127.0.0.1:1');
  await page.getByRole('button', { name: 'Save and connect' }).click();
  await expect(cluster).toContainText(/Redis redis:\/\/:\*\*\*@127\.0\.0\.1:1\/? unreachable .*retrying, training here meanwhile/, { timeout: 15_000 });
  await expect(page.locator('body')).not.toContainText('topsecret');
  await page.screenshot({ path: join(OUTPUT_DIR, 'cluster-unreachable.png') });
  await expectAccessible(page, 'status bar with the cluster settings');

  // It is kept with the data directory: a reload shows it again, still without its password.
  await page.reload();
  await expect(page.getByTestId('cluster')).toContainText('unreachable', { timeout: 15_000 });
  expect(await page.content()).not.toContain('topsecret');

  await page.getByTestId('cluster-settings').click();
  await page.getByRole('button', { name: 'Stop using the cluster' }).click();
  await expect(page.getByTestId('cluster')).toContainText('none (every run trains here)');
  expect(errors).toEqual([]);
});
