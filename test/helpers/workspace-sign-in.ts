import type { Page } from 'playwright-core';

/**
 * Signs `page` in to the workspace of the system at `baseUrl` as `username`, through the sandbox IdP's "Sign in as"
 * list, as a member of staff does (the e2e suites' one way in). The caller waits for where the user lands.
 */
export async function signInToWorkspace(page: Page, baseUrl: string, username: string): Promise<void> {
  await page.goto(`${baseUrl}/workspace`);
  await page.getByTestId('sign-in').click();
  await page.locator(`[data-testid="sign-in-as"][data-username="${username}"]`).click();
}
