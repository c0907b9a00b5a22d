// SPDX-License-Identifier: Apache-2.0
// Browser test of the contacts import (issue 11 item 1) in Debian's headless Chromium against
// `cunxin demo` on 127.0.0.1: a contact list as WPS/Excel on Chinese Windows saves it (real
// GB18030 bytes made with glibc's iconv, a title row above the header, good and bad rows with a
// joining date in the future) uploaded through the page's own file input; Chinese problem rows;
// the import box at the top; contacts as cards at 390 px. Every wait is bounded.
//   node contacts.test.mjs <path to cunxin> <screenshot dir>

import { chromium } from 'playwright-core';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { freePort, reporter, until } from './demo.mjs';

const bin = process.argv[2];
const shots = process.argv[3] || path.join(os.tmpdir(), 'cunxin-screenshots');
if (!bin) { console.error('usage: node contacts.test.mjs <cunxin> <screenshot dir>'); process.exit(2); }
fs.mkdirSync(shots, { recursive: true });

const report = reporter('browser_contacts');
const { failures, check } = report;

const port = await freePort();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cunxin-browser-contacts-'));
const base = `http://127.0.0.1:${port}`;
const demo = spawn(bin, ['demo', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir],
  { stdio: ['ignore', 'pipe', 'pipe'] });
let output = '';
demo.stdout.on('data', (d) => { output += d; });
demo.stderr.on('data', (d) => { output += d; });
const hardStop = setTimeout(() => { console.error('browser test: overall time limit'); cleanup(1); }, 170000);

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

// The office's sheet: a title row, the header, two good rows and three bad ones.
const nextYear = new Date().getFullYear() + 1;
const sheet = [
  '东风镇党员花名册,,,,,',
  '姓名,手机号,村,职务,入党日期,标签',
  '张建国,13912340001,东风村,村支书,1985-07-01,党员',
  '李秀英,13912340002,东风村,党员,1990/7/1,党员;妇女代表',
  '王小明,12345,西河村,村委委员,,',
  `赵四海,13912340004,西河村,党员,${nextYear}-07-01,党员`,
  ',13912340005,南岗村,,,',
].join('\r\n') + '\r\n';
const csvPath = path.join(dataDir, '党员花名册.csv');
fs.writeFileSync(csvPath, execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: sheet }));

try {
  const gbk = fs.readFileSync(csvPath);
  let utf8ok = true;
  try { new TextDecoder('utf-8', { fatal: true }).decode(gbk); } catch (_) { utf8ok = false; }
  check(!utf8ok && gbk.length < Buffer.byteLength(sheet), 'the fixture is GB18030 bytes, not UTF-8');

  const code = await until('the setup code on the console', () => {
    const m = output.match(/setup code: ([A-Z0-9]{4}-[A-Z0-9]{4})/);
    return m && m[1];
  }, 60000);
  await until('the server', async () => (await fetch(`${base}/api/v1/health`)).ok, 30000);

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
  page.on('console', (m) => { if (m.type() === 'error' && /Content Security Policy|Refused/.test(m.text())) problems.push(m.text()); });
  const toasts = [];

  await page.goto(base + '/');
  await page.waitForSelector('#setup-code', { timeout: 15000 });
  await page.fill('#setup-code', code);
  await page.fill('#setup-user', 'admin');
  await page.fill('#setup-pass', 'correct horse battery');
  await page.click('#setup-submit');
  await page.waitForSelector('#nav-dashboard', { state: 'attached', timeout: 15000 });

  await page.goto(base + '/#/contacts');
  await page.waitForSelector('#import-file', { state: 'attached', timeout: 15000 });
  const order = await page.evaluate(() => {
    const cards = [...document.querySelectorAll('.page.contacts > *')];
    return cards.findIndex((c) => c.contains(document.getElementById('import-file')));
  });
  check(order === 0, 'the import box is at the top of the contacts page');
  if (await page.locator('#import-box').count()) {
    if (!(await page.locator('#import-box').evaluate((d) => d.open))) await page.click('#import-box > summary');
  }
  const toastWatch = setInterval(async () => {
    try { for (const s of await page.locator('.toast').allTextContents()) if (!toasts.includes(s)) toasts.push(s); } catch (_) { /* page busy */ }
  }, 100);

  await page.setInputFiles('#import-file', csvPath);
  await page.waitForSelector('#import-summary, .toast.error', { timeout: 15000 });
  await page.waitForTimeout(300);
  const refusal = await page.locator('.toast.error').allTextContents();
  if (refusal.length) throw new Error(`the upload was refused: ${refusal.join(' | ')}`);
  const summary = await page.textContent('#import-summary');
  check(summary.includes('共 5 行') && summary.includes('2 行可导入') && summary.includes('3 行有问题'), `preview counts: ${summary}`);
  const result = await page.textContent('#import-result');
  check(result.includes('第 2 行'), 'the header row below the title row is named');
  const rows = await page.locator('#import-result tr.bad').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  console.log('problem rows:', JSON.stringify(rows));
  const byRow = (n) => rows.find((r) => r[0] === String(n)) || [];
  check(byRow(5)[1] === '手机号' && byRow(5)[2] === '12345', 'row 5: the 列 column says 手机号 (not mobile)');
  check(byRow(6)[1] === '入党日期' && byRow(6)[3].includes('晚于今天'), 'row 6: a joining date in the future is refused with a reason');
  check(byRow(7)[1] === '姓名' && byRow(7)[3].includes('缺少姓名'), 'row 7: a missing name is named in Chinese');
  check(rows.every((r) => !/mobile|name|party_join_date/.test(r[1])), 'no English column names in the problem table');
  await page.screenshot({ path: path.join(shots, 'contacts-01-import-preview-1366.png'), fullPage: true });

  await page.click('#import-commit');
  await page.waitForSelector('#import-done', { timeout: 20000 });
  check((await page.textContent('#import-done')).includes('已导入 2 人'), 'commit imports the 2 good rows');
  const found = await page.evaluate(async () => {
    const r = await fetch('/api/v1/contacts?q=' + encodeURIComponent('张建国'), { credentials: 'same-origin' });
    return r.json();
  });
  console.log('found:', JSON.stringify(found).slice(0, 400));
  check(found.items.length === 1 && found.items[0].village === '东风村' && found.items[0].party_join_date === '1985-07-01', 'the GBK row arrived with its Chinese village and date');
  const future = await page.evaluate(async () => (await (await fetch('/api/v1/contacts?q=' + encodeURIComponent('赵四海'))).json()));
  console.log('future:', JSON.stringify(future).slice(0, 300));
  check(future.items.length === 0, 'the row with a future joining date was not imported');
  clearInterval(toastWatch);
  check(!toasts.some((s) => /csv:|no name column|[A-Za-z]{5,}/.test(s)), `no English toast (${toasts.join(' | ')})`);

  // 1366 px: the list is a table; 390 px: cards, names on one line.
  await page.goto(base + '/#/contacts?q=' + encodeURIComponent('东风村'));
  await page.waitForSelector('.contact-list', { timeout: 15000 });
  await page.screenshot({ path: path.join(shots, 'contacts-02-list-1366.png'), fullPage: true });
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
    locale: 'zh-CN', storageState: await context.storageState() });
  const p2 = await phone.newPage();
  p2.on('pageerror', (e) => problems.push(`pageerror (phone): ${e.message}`));
  await p2.goto(base + '/#/contacts');
  await p2.waitForSelector('.contact-list td', { timeout: 15000 });
  await p2.waitForTimeout(300);
  const layout = await p2.evaluate(() => {
    const td = document.querySelector('.contact-list tbody td');
    const tr = document.querySelector('.contact-list tbody tr');
    return { display: getComputedStyle(tr).display, nameHeight: td.getBoundingClientRect().height,
      lineHeight: parseFloat(getComputedStyle(td).lineHeight) || 24, width: document.documentElement.scrollWidth };
  });
  console.log('phone layout:', JSON.stringify(layout));
  check(layout.display !== 'table-row', `at 390 px each contact is a card, not a table row (${layout.display})`);
  check(layout.nameHeight < 2 * layout.lineHeight + 4, `at 390 px a name stays on one line (${layout.nameHeight}px)`);
  check(layout.width <= 390, `the contacts page fits 390 px (scrollWidth ${layout.width})`);
  await p2.screenshot({ path: path.join(shots, 'contacts-03-phone-390.png') });
  check(problems.length === 0, `no CSP violation or page error ${problems.join(' | ')}`);
} catch (e) {
  failures.push(String(e && e.stack || e));
  console.log('FAIL ' + e);
  console.log('--- demo output (tail) ---\n' + output.split('\n').slice(-30).join('\n'));
}
report.summary();
console.log(`screenshots in ${shots}`);
await cleanup(failures.length ? 1 : 0);
