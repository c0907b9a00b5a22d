// SPDX-License-Identifier: Apache-2.0
// Browser test (issue 13, one clock and one time zone): the panel shows times in the office's
// zone as the appliance serves it (`utc_offset_minutes`, +8 in the demo), not the browser's.
// Chromium runs with TZ=UTC; a broadcast scheduled for 2099-01-01 00:00 UTC must read
// 2099-01-01 08:00 on its page.
//   node timezone.test.mjs <path to cunxin> <screenshot dir>

import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { freePort, reporter, until } from './demo.mjs';

const bin = process.argv[2];
const shots = process.argv[3] || path.join(os.tmpdir(), 'cunxin-screenshots');
if (!bin) { console.error('usage: node timezone.test.mjs <cunxin> <screenshot dir>'); process.exit(2); }
fs.mkdirSync(shots, { recursive: true });

const report = reporter('browser_timezone');
const { failures, check } = report;

const port = await freePort();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cunxin-browser-tz-'));
const base = `http://127.0.0.1:${port}`;
let output = '';
const demo = spawn(bin, ['demo', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
demo.stdout.on('data', (d) => { output += d; });
demo.stderr.on('data', (d) => { output += d; });

let browser;
async function cleanup(code) {
  clearTimeout(hardStop);
  try { if (browser) await browser.close(); } catch (_) { /* closing anyway */ }
  if (demo.exitCode === null) { demo.kill('SIGTERM'); await new Promise((r) => setTimeout(r, 300)); }
  if (demo.exitCode === null) demo.kill('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
  process.exit(code);
}
const hardStop = setTimeout(() => { console.error('browser test: overall time limit'); cleanup(1); }, 110000);

try {
  await until('the server', async () => (await fetch(`${base}/api/v1/health`)).ok, 60000);
  const code = await until('the setup code on the console', () => {
    const m = output.match(/setup code: ([A-Z0-9]{4}-[A-Z0-9]{4})/);
    return m && m[1];
  }, 60000);
  const health = await (await fetch(`${base}/api/v1/health`)).json();
  check(health.utc_offset_minutes === 480, `the appliance serves its office offset (${health.utc_offset_minutes})`);

  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    env: { ...process.env, TZ: 'UTC' },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', timezoneId: 'UTC' });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(base + '/');
  await page.waitForSelector('#nav-dashboard, #login-user, #setup-code', { timeout: 15000 });
  await page.fill('#setup-code', code);
  await page.fill('#setup-user', 'admin');
  await page.fill('#setup-pass', 'correct horse battery');
  await page.click('#setup-submit');
  await page.waitForSelector('#nav-dashboard', { state: 'attached', timeout: 15000 });
  check(await page.evaluate(() => new Date().getTimezoneOffset()) === 0, 'the browser runs in UTC');

  // A broadcast scheduled at a known instant: 2099-01-01 00:00 UTC = 08:00 in the office (+8).
  const id = await page.evaluate(async () => {
    const st = await (await fetch('/api/v1/auth/state')).json();
    const villages = (await (await fetch('/api/v1/villages')).json()).items;
    const r = await fetch('/api/v1/campaigns', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': st.csrf },
      body: JSON.stringify({ name: '时区检查', template: '{name}您好，元旦快乐', targets: { villages: [villages[0].name] }, scheduled_at: 4070908800 }),
    });
    return r.ok ? (await r.json()).id : `HTTP ${r.status} ${await r.text()}`;
  });
  check(Number.isInteger(id), `a scheduled broadcast is created (${id})`);
  await page.goto(`${base}/#/campaign/${id}`);
  const text = await until('the broadcast page', async () => {
    const t = await page.locator('#main').innerText();
    return t.includes('2099') && t;
  }, 15000);
  check(text.includes('2099-01-01 08:00'), 'its time reads 2099-01-01 08:00 (office time, +8)');
  check(!text.includes('2099-01-01 00:00'), 'not 2099-01-01 00:00 (the browser\'s UTC)');
  await page.screenshot({ path: path.join(shots, 'timezone-campaign.png') });
  check(problems.length === 0, `no page errors (${problems.join('; ')})`);
} catch (e) {
  failures.push(String(e && e.stack ? e.stack : e));
  console.log(`FAIL ${e}`);
}
report.summary();
await cleanup(failures.length ? 1 : 0);
