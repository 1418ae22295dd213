// Browser end-to-end test of signing up, logging in and out, against the real
// clipcut binary with its own private Postgres, driven in Chromium the way a
// person would use the app.
//
//   npm run build && (cd .. && go build -o clipcut ./server) && npm run e2e
//
// Settings and the server/browser harness: see harness.mjs. Screenshots of
// every step and the server's log go to e2e/artifacts/auth/.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { expectPath, NAVIGATION_TIMEOUT_MS, STEP_TIMEOUT_MS, STOP_TIMEOUT_MS, Suite, watchProblems } from './harness.mjs';

const run = new Suite('auth', { tests: 2 });
const step = (page, name, fn) => run.step(page, name, fn);

describe('clipcut web app: accounts', { timeout: 900_000 }, () => {
  before(async () => {
    await run.start();
  });

  after(async () => {
    await run.close();
  });

  it('signs up, stays signed in, logs out and logs in like a person would', { timeout: 600_000 }, async (t) => {
    const context = await run.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);

    const problems = watchProblems(page);

    const banner = page.getByRole('banner');
    const main = page.getByRole('main');
    const name = 'E2E Person';
    const email = `e2e-${Date.now()}@example.com`;
    const password = 'correct horse battery staple';

    await step(page, '01-home', async () => {
      const res = await page.goto(`${run.baseURL}/`);
      assert.equal(res?.status(), 200, 'GET / should serve the app');
      const csp = res?.headers()['content-security-policy'];
      t.diagnostic(`Content-Security-Policy on /: ${csp ?? '(none)'}`);
      await page.getByRole('heading', { level: 1, name: 'Latest videos' }).waitFor();
      await banner.getByRole('link', { name: 'Log in' }).waitFor();
      await main.getByText('No videos yet').waitFor();
    });

    await step(page, '02-signup-page', async () => {
      await banner.getByRole('link', { name: 'Sign up' }).click();
      await expectPath(page, '/signup');
      await page.getByRole('heading', { level: 1, name: 'Create your account' }).waitFor();
    });

    await step(page, '03-signup-short-password', async () => {
      await page.getByLabel('Name').fill(name);
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill('short');
      await main.getByRole('button', { name: 'Sign up' }).click();

      await page.locator('input[name="password"][aria-invalid="true"]').waitFor();
      const error = page.locator('.field--invalid .field__error');
      await error.waitFor();
      const text = (await error.textContent())?.trim();
      assert.ok(text, 'the password field should show the server message');
      t.diagnostic(`password field error: ${text}`);
      assert.equal(await page.locator('input[name="email"][aria-invalid="true"]').count(), 0);
      assert.equal(await page.locator('input[name="name"][aria-invalid="true"]').count(), 0);
      await expectPath(page, '/signup');
    });

    await step(page, '04-signed-up', async () => {
      await page.getByLabel('Password').fill(password);
      await main.getByRole('button', { name: 'Sign up' }).click();
      await banner.getByText(name).waitFor();
      await banner.getByRole('button', { name: 'Log out' }).waitFor();
      await expectPath(page, '/');
    });

    await step(page, '05-reloaded-still-signed-in', async () => {
      const cookies = await context.cookies(run.baseURL);
      const session = cookies.find((c) => c.name === 'clipcut_session');
      assert.ok(session, `expected a clipcut_session cookie, got: ${cookies.map((c) => c.name).join(', ') || 'none'}`);
      assert.equal(session.httpOnly, true, 'the session cookie must be HttpOnly');
      assert.equal(
        await page.evaluate(() => document.cookie.includes('clipcut_session')),
        false,
        'scripts must not see the session cookie',
      );

      await page.reload();
      await banner.getByText(name).waitFor();
    });

    await step(page, '06-account', async () => {
      await banner.getByRole('link', { name }).click();
      await expectPath(page, '/account');
      await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
      await main.getByText(email, { exact: true }).waitFor();
      await main.getByText(name, { exact: true }).waitFor();
    });

    await step(page, '07-logged-out', async () => {
      await main.getByRole('button', { name: 'Log out' }).click();
      await banner.getByRole('link', { name: 'Log in' }).waitFor();
      await expectPath(page, '/');
      // The server ended the session: a reload stays signed out.
      await page.reload();
      await banner.getByRole('link', { name: 'Log in' }).waitFor();
      assert.equal(await banner.getByText(name).count(), 0);
    });

    await step(page, '08-wrong-password', async () => {
      await banner.getByRole('link', { name: 'Log in' }).click();
      await expectPath(page, '/login');
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill('not the password');
      await main.getByRole('button', { name: 'Log in' }).click();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      assert.equal((await alert.textContent())?.trim(), 'Incorrect email or password.');
      await banner.getByRole('link', { name: 'Log in' }).waitFor();
    });

    await step(page, '09-logged-in', async () => {
      await page.getByLabel('Password').fill(password);
      await main.getByRole('button', { name: 'Log in' }).click();
      await banner.getByText(name).waitFor();
      await expectPath(page, '/');
    });

    await step(page, '10-phone-width', async () => {
      await page.setViewportSize({ width: 360, height: 740 });
      await banner.getByText(name).waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the page is ${overflow}px wider than a 360px phone screen`);
    });

    assert.deepEqual(problems, [], 'the browser reported errors (CSP violations show up here)');
    await context.close();
    run.passed++;
  });

  it('stops cleanly on SIGTERM', { timeout: STOP_TIMEOUT_MS + 5_000 }, async () => {
    assert.ok(run.server, 'the server was not started');
    assert.equal(run.server.exitCode, null, `clipcut exited early. Its output:\n${run.logTail()}`);
    run.server.kill('SIGTERM');
    const status = await run.waitExit(STOP_TIMEOUT_MS);
    assert.notEqual(status, null, `clipcut did not exit within ${STOP_TIMEOUT_MS / 1000} s of SIGTERM`);
    assert.deepEqual(status, { code: 0, signal: null }, `clipcut should exit 0 after SIGTERM. Its output:\n${run.logTail()}`);
    run.passed++;
  });
});
