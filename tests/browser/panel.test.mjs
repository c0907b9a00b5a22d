// SPDX-License-Identifier: Apache-2.0
// Browser test of the panel: Debian's headless Chromium (never a downloaded browser) driven by
// playwright-core against `cunxin demo` on 127.0.0.1, in a fresh data dir and profile.
//   node panel.test.mjs <path to cunxin> <screenshot dir>
// Checks: first-start setup with the printed code, login, a broadcast whose progress bar
// finishes, a reply arriving live in the inbox and marked handled, hostile SMS text inert,
// the phone (390 px) layout, no CSP violation or page error. Every wait is bounded.

import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { freePort, reporter, until } from './demo.mjs';

const bin = process.argv[2];
const shots = process.argv[3] || path.join(os.tmpdir(), 'cunxin-screenshots');
if (!bin) { console.error('usage: node panel.test.mjs <cunxin> <screenshot dir>'); process.exit(2); }
fs.mkdirSync(shots, { recursive: true });

const report = reporter('browser_panel');
const { failures, check } = report;

const port = await freePort();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cunxin-browser-'));
const base = `http://127.0.0.1:${port}`;
const demo = spawn(bin, ['demo', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, '--reply-every', '3'],
  { stdio: ['ignore', 'pipe', 'pipe'] });
let output = '';
demo.stdout.on('data', (d) => { output += d; });
demo.stderr.on('data', (d) => { output += d; });
const hardStop = setTimeout(() => { console.error('browser test: overall time limit'); cleanup(1); }, 280000);

let browser;
async function cleanup(code) {
  clearTimeout(hardStop);
  try { if (browser) await browser.close(); } catch (_) { /* closing anyway */ }
  demo.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  if (demo.exitCode === null) demo.kill('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
  process.exit(code);
}

try {
  const code = await until('the setup code on the console', () => {
    const m = output.match(/setup code: ([A-Z0-9]{4}-[A-Z0-9]{4})/);
    return m && m[1];
  }, 60000);
  await until('the server', async () => (await fetch(`${base}/api/v1/health`)).ok, 30000);
  check(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/.test(code), 'setup code printed as "setup code: XXXX-XXXX"');

  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    // playwright gives every launch a fresh, temporary user-data-dir of its own.
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  const problems = [];
  let dialogs = 0;
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' && /Content Security Policy|Refused/.test(m.text())) problems.push(m.text()); });
  page.on('dialog', async (d) => { if (d.type() === 'alert') dialogs++; await d.accept(); });
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));

  // 1. First start: the setup page asks for the code and creates the admin.
  await page.goto(base + '/');
  await page.waitForSelector('#setup-code', { timeout: 15000 });
  check((await page.textContent('h2')).includes('首次设置'), 'setup page is in Chinese first');
  await page.screenshot({ path: path.join(shots, '01-setup.png') });
  await page.fill('#setup-code', 'WRON-GCOD');
  await page.fill('#setup-user', 'admin');
  await page.fill('#setup-pass', 'correct horse battery');
  await page.click('#setup-submit');
  await page.waitForSelector('.toast.error', { timeout: 10000 });
  check(true, 'a wrong setup code is refused');
  await page.fill('#setup-code', code.toLowerCase());
  await page.click('#setup-submit');
  await page.waitForSelector('#nav-dashboard', { state: 'attached', timeout: 15000 });
  await page.waitForSelector('.modem', { timeout: 30000 });
  check(true, 'setup with the printed code logs the admin in');
  await page.screenshot({ path: path.join(shots, '02-dashboard.png'), fullPage: true });

  // 2. Log out, log in.
  await page.click('#logout');
  await page.waitForSelector('#login-user', { timeout: 10000 });
  await page.fill('#login-user', 'admin');
  await page.fill('#login-pass', 'correct horse battery');
  await page.click('#login-submit');
  await page.waitForSelector('#nav-dashboard', { state: 'attached', timeout: 10000 });
  check(true, 'logout and login');

  // 2b. Admins see the quarantine count on the dashboard and its page (empty in the demo).
  await page.waitForSelector('#dash-quarantine', { timeout: 15000 });
  check((await page.textContent('#dash-quarantine')).includes('隔离区'), 'dashboard shows the quarantine count to an admin');
  await page.click('#dash-quarantine');
  await page.waitForSelector('.page.quarantine', { timeout: 10000 });
  check((await page.textContent('.page.quarantine')).includes('隔离区是空的'), 'quarantine page lists nothing in the demo');

  // 3. Compose a broadcast to a group; watch its progress bar finish.
  await page.goto(base + '/#/compose');
  await page.waitForSelector('#pick-group input', { timeout: 15000 });
  await page.locator('#pick-group input').first().check();
  await page.fill('#camp-name', '浏览器测试通知');
  const hostile = '{name}您好 <img src=x onerror="window.__pwned=1"> 周五开会';
  await page.fill('#camp-template', hostile);
  const counter = await page.textContent('#camp-counter');
  check(/条/.test(counter), `live counter shows segments (${counter.trim()})`);
  await page.waitForSelector('#camp-estimate', { timeout: 10000 });
  check(/¥/.test(await page.textContent('#camp-estimate')), 'cost estimate shown before sending');
  await page.screenshot({ path: path.join(shots, '03-compose.png'), fullPage: true });
  await page.click('#camp-send');
  await page.waitForSelector('#send-confirm[open]', { timeout: 10000 });  // the confirmation step
  await page.click('#confirm-go');
  await page.waitForURL(/#\/campaign\/\d+/, { timeout: 15000 });
  // Live progress: `campaign` events move the bar in place (an attribute change on a bar
  // already in the page; a reload would replace the element instead).
  await page.evaluate(() => {
    window.__liveMoves = 0;
    new MutationObserver((ms) => { window.__liveMoves += ms.length; })
      .observe(document.getElementById('main'), { subtree: true, attributes: true, attributeFilter: ['aria-valuenow'] });
  });
  await until('the campaign to finish', async () =>
    (await page.getAttribute('.page.campaign', 'data-status')) === 'done', 150000, 500);
  const bar = await page.getAttribute('#camp-progress [role=progressbar]', 'aria-valuenow');
  check(bar === '100', `progress bar reaches 100% (${bar})`);
  const moves = await page.evaluate(() => window.__liveMoves);
  check(moves > 0, `progress bar moved in place by live campaign events (${moves} updates)`);
  await page.screenshot({ path: path.join(shots, '04-campaign-done.png'), fullPage: true });
  check(await page.evaluate(() => window.__pwned === undefined), '<img onerror> in a message stays inert');
  check(await page.locator('.page.campaign img').count() === 0, 'no <img> element created from message text');

  // 4. A reply arrives live in the inbox (no reload), then is marked handled.
  await page.goto(base + '/#/inbox?status=new');
  await page.waitForSelector('#inbox-list li, .empty', { timeout: 15000 });
  const before = await page.locator('#inbox-list li').count();
  const firstBefore = before ? await page.getAttribute('#inbox-list li >> nth=0', 'data-id') : null;
  await until('a new reply to appear live', async () => {
    const n = await page.locator('#inbox-list li').count();
    const first = n ? await page.getAttribute('#inbox-list li >> nth=0', 'data-id') : null;
    return n > 0 && first !== firstBefore;
  }, 60000, 300);
  check(true, 'a reply appears in the open inbox without reloading');
  await page.screenshot({ path: path.join(shots, '05-inbox-live.png'), fullPage: true });
  await page.locator('#inbox-list li >> nth=0 >> a.peer').click();
  await page.waitForSelector('#mark-handled', { timeout: 15000 });
  await page.click('#mark-handled');
  await until('the status to become handled', async () =>
    (await page.locator('.actions .badge.st-handled').count()) > 0, 15000);
  check(true, 'the reply is marked handled');

  // 5. The <script> reply of the demo is shown as text and never runs.
  await page.goto(base + '/#/inbox?q=' + encodeURIComponent('xss'));
  await until('the hostile reply', async () => (await page.locator('#inbox-list .text').allTextContents()).some((s) => s.includes('<script>')), 60000, 500);
  check(await page.locator('#inbox-list script').count() === 0, '<script> in an SMS is not a script element');
  check(dialogs === 0, 'no alert() ran');
  await page.screenshot({ path: path.join(shots, '06-xss-inert.png'), fullPage: true });

  // 6. Phone width: 390 px, no horizontal scrolling, Chinese navigation visible.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
    storageState: await context.storageState() });
  const p2 = await phone.newPage();
  p2.on('pageerror', (e) => problems.push(`pageerror (phone): ${e.message}`));
  for (const [hash, name] of [['#/dashboard', '07-phone-dashboard'], ['#/inbox', '08-phone-inbox'], ['#/compose', '09-phone-compose']]) {
    await p2.goto(base + '/' + hash);
    await p2.waitForSelector('.page', { timeout: 15000 });
    await p2.waitForTimeout(300);
    const width = await p2.evaluate(() => document.documentElement.scrollWidth);
    check(width <= 390, `${hash} fits 390 px (scrollWidth ${width})`);
    await p2.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  }
  check((await p2.textContent('#nav')).includes('收件箱'), 'navigation in Chinese at phone width');

  check(requests.every((u) => u.startsWith(base)), 'nothing loaded from outside the appliance');
  check(problems.length === 0, `no CSP violation or page error ${problems.join(' | ')}`);
} catch (e) {
  failures.push(String(e && e.stack || e));
  console.log('FAIL ' + e);
  console.log('--- demo output (tail) ---\n' + output.split('\n').slice(-30).join('\n'));
}
report.summary();
console.log(`screenshots in ${shots}`);
await cleanup(failures.length ? 1 : 0);
