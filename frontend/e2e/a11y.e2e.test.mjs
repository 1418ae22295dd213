// Browser end-to-end accessibility check of every page of the web app,
// against the real clipcut binary with its own private Postgres, in
// Chromium: the first account (an administrator) uploads a short clip,
// then every page is visited as the user it is for (a visitor for the
// public pages, the owner for the studio ones, the administrator for the
// admin pages), waits for its content, and runs axe-core on it: 0 serious
// or critical violations. The home page with its cards is screenshotted at
// 1280x800 and 390x844, and hovered so that a card plays its preview.
//
//   npm run build && (cd .. && go build -o clipcut ./server) && node --test e2e/a11y.e2e.test.mjs
//
// Needs ffmpeg on $PATH. Settings and the shared steps: see harness.mjs.
// Screenshots go to e2e/artifacts/a11y/.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { axeViolations, eventually, graphql, PROCESSING_TIMEOUT_MS, signUp, Suite, uploadUntilReady } from './harness.mjs';

const run = new Suite('a11y', { env: { CLIPCUT_TRANSCRIBER: 'none' }, tests: 1 });
const title = 'Accessible harbour tour';
let clip = '';

describe('clipcut web app: accessibility of every page', { timeout: 1_800_000 }, () => {
  before(async () => {
    [, clip] = await Promise.all([run.start(), run.makeClip(title, 8)]);
  });

  after(() => run.close());

  it('has no serious or critical axe-core violation on any page', { timeout: 1_750_000 }, async () => {
    const { context: owner, page } = await run.newPage();
    const main = page.getByRole('main');
    let videoId = '';
    let handle = '';

    await run.step(page, '00-ready', async () => {
      // The first account is the instance's administrator.
      await signUp(page, run.baseURL, { name: 'Ada Access', email: `ada-${Date.now()}@example.com`, password: 'correct horse battery staple' });
      await page.goto(`${run.baseURL}/upload`);
      videoId = await uploadUntilReady(page, clip, title);
      const vtt = 'WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nWelcome to the harbour.\n';
      await graphql(page, `mutation($id: ID!, $vtt: String!) { uploadSubtitles(videoId: $id, language: "en", content: $vtt) { language } }`, { id: videoId, vtt });
      const me = await graphql(page, 'query { me { handle } }', {});
      handle = me.me.handle;
      // The card's preview is made after the ladder.
      await eventually(
        async () => (await graphql(page, 'query($id: ID!) { video(id: $id) { playback { previewUrl } } }', { id: videoId })).video.playback?.previewUrl,
        { ms: PROCESSING_TIMEOUT_MS, what: 'the animated preview' },
      );
    });

    // Each page as the person it is for, and what shows it has loaded.
    const pages = [
      { name: 'home', path: '/', ready: () => main.getByRole('heading', { name: title }) },
      { name: 'search', path: '/search?q=harbour', ready: () => main.getByRole('heading', { name: title }) },
      { name: 'channel', path: `/c/${handle}`, ready: () => main.getByRole('heading', { name: title }) },
      { name: 'watch', path: `/watch/${videoId}`, ready: () => main.getByRole('heading', { level: 1, name: title }) },
      { name: 'embed', path: `/embed/${videoId}`, ready: () => page.getByRole('button', { name: `Play “${title}”` }) },
      { name: 'upload', path: '/upload', ready: () => page.getByLabel('Choose video files') },
      { name: 'my-videos', path: '/my-videos', ready: () => main.getByText(title).first() },
      { name: 'dashboard', path: '/dashboard', ready: () => main.getByRole('heading', { level: 1 }) },
      { name: 'account', path: '/account', ready: () => main.getByRole('heading', { level: 1 }) },
      { name: 'account-tokens', path: '/account/tokens', ready: () => main.getByRole('heading', { level: 1 }) },
      { name: 'account-webhooks', path: '/account/webhooks', ready: () => main.getByRole('heading', { level: 1 }) },
      { name: 'subtitles-editor', path: `/videos/${videoId}/subtitles`, ready: () => main.getByRole('heading', { level: 1 }) },
      { name: 'admin', path: '/admin', ready: () => main.getByRole('heading', { level: 1 }) },
    ];
    const found = {};
    for (const [i, p] of pages.entries()) {
      await run.step(page, `${String(i + 1).padStart(2, '0')}-${p.name}`, async () => {
        await page.goto(`${run.baseURL}${p.path}`);
        await p.ready().first().waitFor();
        await page.waitForLoadState('networkidle').catch(() => {});
        const v = await axeViolations(page);
        if (v.length > 0) found[p.name] = v;
      });
    }

    // The public pages as a visitor who is not signed in.
    const { context: visitor, page: anon } = await run.newPage();
    for (const p of pages.slice(0, 5)) {
      await run.step(anon, `visitor-${p.name}`, async () => {
        await anon.goto(`${run.baseURL}${p.path}`);
        const ready = p.name === 'embed' ? anon.getByRole('button', { name: `Play “${title}”` }) : anon.getByRole('main').getByRole('heading', { name: title });
        await ready.first().waitFor();
        const v = await axeViolations(anon);
        if (v.length > 0) found[`visitor ${p.name}`] = v;
      });
    }
    assert.deepEqual(found, {}, 'axe-core: serious or critical violations by page');

    // The home page with its cards, at desktop and phone width, one card
    // playing its preview (hovered).
    for (const [w, h] of [
      [1280, 800],
      [390, 844],
    ]) {
      await anon.setViewportSize({ width: w, height: h });
      await anon.goto(`${run.baseURL}/`);
      const card = anon.getByRole('article').first();
      await card.waitFor();
      await card.hover();
      await card.locator('.video-card__preview').waitFor();
      await anon.screenshot({ path: run.artifact(`shot-home-${w}x${h}.png`) });
    }
    await visitor.close();
    await owner.close();
    run.passed++;
  });
});
