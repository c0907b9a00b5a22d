// SPDX-License-Identifier: Apache-2.0
// Browser test of backup and restore (issue 12 item 3) in Debian's headless Chromium against
// `cunxin demo`: a damaged file uploaded through the settings page is refused with a Chinese
// reason; a genuine backup is applied at the next start and the admin is told; a broken file left
// as the pending restore is set aside at the next start, the data stays, and the admin is told.
//   node restore.test.mjs <path to cunxin> <screenshot dir>

import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { freePort, reporter, until } from './demo.mjs';

const bin = process.argv[2];
const shots = process.argv[3] || path.join(os.tmpdir(), 'cunxin-screenshots');
if (!bin) { console.error('usage: node restore.test.mjs <cunxin> <screenshot dir>'); process.exit(2); }
fs.mkdirSync(shots, { recursive: true });

const report = reporter('browser_restore');
const { failures, check } = report;

const port = await freePort();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cunxin-browser-restore-'));
const base = `http://127.0.0.1:${port}`;
let demo;
let output = '';
function startDemo() {
  demo = spawn(bin, ['demo', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  demo.stdout.on('data', (d) => { output += d; });
  demo.stderr.on('data', (d) => { output += d; });
  return until('the server', async () => (await fetch(`${base}/api/v1/health`)).ok, 60000);
}
async function stopDemo() {
  const exited = new Promise((r) => demo.once('exit', r));
  demo.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 15000))]);
  if (demo.exitCode === null && demo.signalCode === null) { demo.kill('SIGKILL'); await exited; }
}
const hardStop = setTimeout(() => { console.error('browser test: overall time limit'); cleanup(1); }, 170000);

let browser;
async function cleanup(code) {
  clearTimeout(hardStop);
  try { if (browser) await browser.close(); } catch (_) { /* closing anyway */ }
  if (demo && demo.exitCode === null) { demo.kill('SIGTERM'); await new Promise((r) => setTimeout(r, 300)); }
  if (demo && demo.exitCode === null) demo.kill('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
  process.exit(code);
}

try {
  await startDemo();
  const code = await until('the setup code on the console', () => {
    const m = output.match(/setup code: ([A-Z0-9]{4}-[A-Z0-9]{4})/);
    return m && m[1];
  }, 60000);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('dialog', async (d) => { await d.accept(); });
  async function loggedIn() {
    await page.goto(base + '/');
    await page.waitForSelector('#nav-dashboard, #login-user, #setup-code', { timeout: 15000 });
    if (await page.locator('#setup-code').count()) {
      await page.fill('#setup-code', code);
      await page.fill('#setup-user', 'admin');
      await page.fill('#setup-pass', 'correct horse battery');
      await page.click('#setup-submit');
    } else if (await page.locator('#login-user').count()) {
      await page.fill('#login-user', 'admin');
      await page.fill('#login-pass', 'correct horse battery');
      await page.click('#login-submit');
    }
    await page.waitForSelector('#nav-dashboard', { state: 'attached', timeout: 15000 });
  }
  async function upload(name, buffer) {
    await page.goto(base + '/#/settings');
    const input = page.locator('input[type=file][accept=".db"]');
    await input.waitFor({ state: 'attached', timeout: 15000 });
    await input.setInputFiles({ name, mimeType: 'application/octet-stream', buffer });
    await page.locator('form:has(input[accept=".db"]) button[type=submit]').click();
    const toast = await page.waitForSelector('.toast', { timeout: 15000 });
    await page.waitForTimeout(200);
    return (await page.locator('.toast').allTextContents()).join(' | ') || (await toast.textContent());
  }
  const contacts = async () => page.evaluate(async () => (await (await fetch('/api/v1/contacts?limit=1')).json()).total);

  await loggedIn();
  const before = await contacts();
  check(before > 0, `the demo has contacts (${before})`);

  // A damaged file: refused at once, with the reason in Chinese; nothing pending.
  const junk = Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), Buffer.alloc(8192, 7)]);
  const refused = await upload('损坏的备份.db', junk);
  check(/[\u4e00-\u9fff]/.test(refused) && /备份|数据库/.test(refused), `a damaged backup is refused in Chinese: ${refused}`);
  check(!fs.existsSync(path.join(dataDir, 'cunxin.db.restore')), 'nothing is kept for a refused upload');
  await page.screenshot({ path: path.join(shots, 'restore-01-refused.png') });

  // A genuine backup (downloaded by the page), then one more contact, then a restart.
  const backup = Buffer.from(await page.evaluate(async () => {
    const b = new Uint8Array(await (await fetch('/api/v1/system/backup')).arrayBuffer());
    let s = '';
    for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
    return btoa(s);
  }), 'base64');
  check(backup.subarray(0, 15).toString('latin1') === 'SQLite format 3', `the backup downloads (${backup.length} bytes)`);
  await page.evaluate(async () => {
    const s = await (await fetch('/api/v1/auth/state')).json();
    await fetch('/api/v1/contacts', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf },
      body: JSON.stringify({ name: '备份后新增', mobile: '13700000001' }) });
  });
  check(await contacts() === before + 1, 'a contact added after the backup');
  const accepted = await upload('cunxin-backup.db', backup);
  check(accepted.includes('重启'), `a genuine backup is accepted: ${accepted}`);
  await stopDemo();
  await startDemo();
  await loggedIn();
  await page.waitForSelector('#restore-notice', { timeout: 15000 });
  const applied = await page.textContent('#restore-notice');
  check(applied.includes('已恢复备份'), `the admin is told the backup was restored: ${applied}`);
  check(await contacts() === before, 'the restored data is in use (the later contact is gone)');
  await page.screenshot({ path: path.join(shots, 'restore-02-applied.png') });
  await page.click('#restore-notice-dismiss');
  await page.waitForSelector('#restore-notice', { state: 'detached', timeout: 10000 });

  // A broken file left as the pending restore (as if copied by hand): set aside at the start.
  fs.writeFileSync(path.join(dataDir, 'cunxin.db.restore'), junk);
  await stopDemo();
  await startDemo();
  await loggedIn();
  await page.waitForSelector('#restore-notice', { timeout: 15000 });
  const setAside = await page.textContent('#restore-notice');
  check(setAside.includes('备份没有恢复') && setAside.includes('restore-failed-') && setAside.includes('损坏') && !/damaged/.test(setAside), `the admin is told the backup was set aside: ${setAside}`);
  check(await contacts() === before, 'the previous data is still in use');
  check(!fs.existsSync(path.join(dataDir, 'cunxin.db.restore')), 'the broken file no longer waits as the pending restore');
  check(fs.readdirSync(dataDir).some((f) => f.startsWith('cunxin.db.restore-failed-')), 'the broken file is kept aside with a date');
  await page.screenshot({ path: path.join(shots, 'restore-03-set-aside.png') });
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
    locale: 'zh-CN', storageState: await context.storageState() });
  const p2 = await phone.newPage();
  await p2.goto(base + '/#/dashboard');
  await p2.waitForSelector('#restore-notice', { timeout: 15000 });
  check(await p2.evaluate(() => document.documentElement.scrollWidth) <= 390, 'the notice fits 390 px');
  await p2.screenshot({ path: path.join(shots, 'restore-04-set-aside-390.png') });
  check(problems.length === 0, `no page error ${problems.join(' | ')}`);
} catch (e) {
  failures.push(String(e && e.stack || e));
  console.log('FAIL ' + e);
  console.log('--- demo output (tail) ---\n' + output.split('\n').slice(-30).join('\n'));
}
report.summary();
console.log(`screenshots in ${shots}`);
await cleanup(failures.length ? 1 : 0);
