/**
 * Driving the console in a browser: sign in through the local OAuth page (the stand-in for
 * Cognito's managed login), open the console on a tenant, and check a screen with axe-core
 * (saving its screenshot to docs/screenshots/ when UPDATE_SCREENSHOTS=1).
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { projectRoot } from '../../local/function-modules.js';
import { seriousViolations } from './browser.js';
import { stack } from './stack-client.js';

const SHOTS = process.env.UPDATE_SCREENSHOTS ? join(projectRoot, 'docs/screenshots') : undefined;

/** Checks the screen with axe-core (and saves its screenshot as `<name>.png` when asked). */
export async function checkScreen(page: Page, name: string) {
  expect(await seriousViolations(page), name).toEqual([]);
  if (SHOTS) await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** Fills the local sign-in page and submits (checking it as `shot` first when given). */
export async function signInOnOAuthPage(
  page: Page,
  email: string,
  password: string,
  shot?: string,
) {
  await page.waitForURL(/\/oauth2\/authorize/);
  if (shot) await checkScreen(page, shot);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/**
 * A fresh browser context signed in to the console as this person, on this tenant, showing the
 * first screen (or `#/<route>` when given).
 */
export async function openConsoleAs(
  browser: Browser,
  person: { email: string; password: string },
  tenantId: string,
  route?: string,
): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(stack.consoleUrl as string);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await signInOnOAuthPage(page, person.email, person.password);
  await page.waitForURL(`${stack.consoleUrl}**`);
  await page.locator('header').getByText(person.email).waitFor();
  await page.getByLabel('Tenant').selectOption(tenantId);
  if (route) await page.goto(`${stack.consoleUrl}#/${route}`);
  return page;
}
