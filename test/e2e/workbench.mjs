// The two checks run.mjs makes in a browser: the extension-host tests (extension-tests.js, reported through
// window.codeAutomationExit) and what a person sees (the Dockerfile open, a Berth warning in Problems).
import { chromium } from 'playwright-core';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDebianPackages } from '../../scripts/debian.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];
const TIMEOUT_MS = 90_000;

/** Debian's Chromium, headless, driven by playwright-core. */
export function launchBrowser() {
  if (!process.env.CHROMIUM_PATH) ensureDebianPackages(['chromium'], { purpose: 'running the e2e tests' });
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}

async function newPage(browser, { artifacts, name }) {
  // the clipboard permissions let VS Code's web clipboard (navigator.clipboard) work for Copy ID/Tag/Digest
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, permissions: ['clipboard-read', 'clipboard-write'] });
  page.setDefaultTimeout(TIMEOUT_MS);
  const log = join(artifacts, `${name}-console.log`);
  page.on('console', (m) => appendFileSync(log, `[${m.type()}] ${m.text()}\n`));
  page.on('pageerror', (e) => appendFileSync(log, `[pageerror] ${e.stack || e}\n`));
  return page;
}

function workbenchUrl(url, folder, payload) {
  const query = new URLSearchParams({ folder });
  if (payload) query.set('payload', JSON.stringify(payload));
  return `${url}/?${query}`;
}

/**
 * Opens a window whose extension host runs `testsPath` with the extension at `extensionPath` under
 * development; resolves with the exit code the workbench reports when the tests end.
 */
export async function runExtensionTests(browser, { url, workspace, extensionPath, testsPath, artifacts }) {
  const page = await newPage(browser, { artifacts, name: 'extension-tests' });
  const authority = new URL(url).host;
  const exited = new Promise((resolve) => {
    page.exposeFunction('codeAutomationExit', (code, logs) => {
      for (const l of Array.isArray(logs) ? logs : []) appendFileSync(join(artifacts, 'extension-tests-host.log'), `== ${l.relativePath}\n${l.contents}\n`);
      resolve(code);
    });
  });
  await page.goto(workbenchUrl(url, workspace, [
    ['extensionDevelopmentPath', `vscode-remote://${authority}${extensionPath}`],
    ['extensionTestsPath', `vscode-remote://${authority}${testsPath}`],
  ]));
  let timer;
  const code = await Promise.race([exited, new Promise((resolve) => { timer = setTimeout(() => resolve('timeout'), TIMEOUT_MS); })]);
  clearTimeout(timer);
  await page.screenshot({ path: join(artifacts, 'extension-tests.png') }).catch(() => {});
  await page.close();
  return code;
}

/**
 * Shows the editor's hover on `target`, as a person does: the mouse rests on it. Under load a hover can be
 * lost (the mouse event lands while the editor relayouts, or a notification takes it), so the mouse leaves
 * and comes back; the last try uses the keyboard (Ctrl+K Ctrl+I, "Show Hover") with the cursor on it.
 */
async function showHover(page, target, text = 'FROM') {
  const hover = page.locator('.monaco-hover', { hasText: text });
  for (let attempt = 1; attempt <= 4; attempt++) {
    if (attempt < 4) {
      await page.mouse.move(0, 0);
      await target.hover();
    } else {
      await target.click();
      await page.keyboard.press('Control+K');
      await page.keyboard.press('Control+I');
    }
    try {
      await hover.waitFor({ timeout: 15_000 });
      return attempt;
    } catch (err) {
      if (attempt === 4) throw err;
    }
  }
}

/** Opens the workspace, then the Dockerfile, then Problems, waits for Berth's MaintainerDeprecated warning, and hovers on FROM. */
export async function checkProblemsPanel(browser, { url, workspace, artifacts }) {
  const page = await newPage(browser, { artifacts, name: 'ui' });
  const shot = (name) => page.screenshot({ path: join(artifacts, name) });
  try {
    await page.goto(workbenchUrl(url, workspace));
    await page.locator('.monaco-workbench').waitFor();
    await page.getByRole('treeitem', { name: 'Dockerfile' }).waitFor();
    await shot('1-workbench.png');
    await page.getByRole('treeitem', { name: 'Dockerfile' }).click();
    const editor = page.locator('.editor-instance .monaco-editor .view-lines', { hasText: 'MAINTAINER' });
    await editor.waitFor();
    await editor.click();
    await page.keyboard.press('Control+Shift+M');
    const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'MaintainerDeprecated' });
    await row.waitFor();
    const warning = await row.locator('.codicon-warning').count();
    const text = (await row.innerText()).replace(/\s+/g, ' ');
    await shot('2-problems.png');
    // hover text on the FROM instruction, as a person sees it
    const hoverAttempts = await showHover(page, page.locator('.editor-instance .view-lines span', { hasText: /^FROM$/ }).first());
    await shot('2b-hover.png');
    if (!text.includes('berth')) throw new Error(`the Problems row does not name the source berth: ${text}`);
    if (!warning) throw new Error(`the Problems row is not a warning: ${text}`);
    return { row: text, hoverAttempts };
  } catch (err) {
    await shot('ui-failure.png').catch(() => {});
    throw err;
  } finally {
    await page.close();
  }
}

/**
 * What a person does in the Berth views: "Build Image..." from the Explorer's context menu of the
 * Dockerfile (answering the tag question), then the Berth activity-bar entry, where the Images view lists
 * the built image under its repository.
 */
export async function checkBuildAndImagesView(browser, { url, workspace, artifacts }) {
  const page = await newPage(browser, { artifacts, name: 'views' });
  const shot = (name) => page.screenshot({ path: join(artifacts, name) });
  try {
    await page.goto(workbenchUrl(url, workspace));
    await page.locator('.monaco-workbench').waitFor();
    const file = page.getByRole('treeitem', { name: 'Dockerfile' });
    await file.waitFor();
    // the context menu is built from the contributions known when it opens: wait for Berth's, then retry
    // while the workbench is still registering them
    await page.locator('.activitybar .action-item a[aria-label^="Berth"], .activitybar [aria-label^="Berth"]').first().waitFor();
    const build = page.getByRole('menuitem', { name: 'Build Image...' });
    for (let attempt = 0; ; attempt++) {
      await file.click({ button: 'right' });
      try {
        await build.waitFor({ timeout: 3000 });
        break;
      } catch (err) {
        if (attempt >= 10) throw err;
        await page.keyboard.press('Escape');
      }
    }
    const input = page.locator('.quick-input-widget input');
    // a click that lands while the menu is still being laid out can be lost (seen under load): the item
    // stays highlighted, and Enter runs it
    await build.click();
    for (let attempt = 0; ; attempt++) {
      try {
        await input.waitFor({ timeout: 5000 });
        break;
      } catch (err) {
        if (attempt >= 5) throw err;
        if (await build.isVisible()) await page.keyboard.press('Enter');
        else {
          await file.click({ button: 'right' });
          await build.click();
        }
      }
    }
    await input.fill('ui/built:1');
    await shot('3-build-tag.png');
    await input.press('Enter');
    await page.locator('.notifications-toasts', { hasText: 'Built ui/built:1.' }).waitFor();
    await shot('4-built.png');
    await page.locator('.activitybar [role="tab"][aria-label^="Berth"], .activitybar .action-item a[aria-label^="Berth"]').first().click();
    const group = page.getByRole('treeitem', { name: 'ui/built' });
    await group.waitFor();
    await group.click();
    await page.getByRole('treeitem', { name: /^1\b/ }).waitFor();
    await shot('5-images-view.png');
    // the view's title says which engine it shows
    const imagesHeader = page.locator('.pane-header', { hasText: 'Images' }).first();
    const engine = (await imagesHeader.locator('.description').innerText()).trim();
    if (engine !== 'bundled') throw new Error(`the Images view's title names the engine "${engine}", not "bundled"`);
    const rows = (await page.getByRole('treeitem').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    return { rows, engine };
  } catch (err) {
    await shot('views-failure.png').catch(() => {});
    throw err;
  } finally {
    await page.close();
  }
}

/**
 * "Add Registry..." as a person uses it: the button in the Registries view's title, an input box that
 * refuses a name that is no registry host and says why, then the registry as a row of the view.
 */
export async function checkAddRegistry(browser, { url, workspace, artifacts, registry }) {
  const page = await newPage(browser, { artifacts, name: 'registries' });
  const shot = (name) => page.screenshot({ path: join(artifacts, name) });
  try {
    await page.goto(workbenchUrl(url, workspace));
    await page.locator('.monaco-workbench').waitFor();
    await page.locator('.activitybar [role="tab"][aria-label^="Berth"], .activitybar .action-item a[aria-label^="Berth"]').first().click();
    const header = page.locator('.pane-header', { hasText: 'Registries' });
    const pane = page.locator('.pane').filter({ has: header });
    await header.waitFor();
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
    await pane.getByRole('treeitem', { name: 'Docker Hub', exact: true }).waitFor();
    await header.hover();
    await header.getByRole('button', { name: 'Add Registry...' }).click();
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill('myregistry');
    const refusal = page.locator('.quick-input-widget .quick-input-message', { hasText: 'A registry host has a dot or a port' });
    await refusal.waitFor();
    const message = (await refusal.innerText()).trim();
    await shot('6-add-registry-refused.png');
    await input.fill(registry);
    await input.press('Enter');
    await pane.getByRole('treeitem', { name: registry, exact: true }).waitFor();
    await shot('7-registry-added.png');
    return { message };
  } catch (err) {
    await shot('registries-failure.png').catch(() => {});
    throw err;
  } finally {
    await page.close();
  }
}
