// SPDX-License-Identifier: Apache-2.0
// Browser test of the field checks (issue 14 items 1 and 2): Debian's headless Chromium against
// `cunxin demo` on 127.0.0.1, at 1366 px and 390 px. From the modem page's buttons: the SIM-to-SIM
// self-test runs and every SIM shows 自检通过 with its round trip; a credit query gets the
// carrier's answer and shows the balance in yuan; the admin sees the system messages; the
// dashboard says the self-test passed; nothing runs wider than a phone.
//   node field.test.mjs <path to cunxin> <screenshot dir>

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { reporter, start, setupAdmin, call, until, go, mark, settled } from './demo.mjs';

const bin = process.argv[2];
const shots = process.argv[3] || path.join(os.tmpdir(), 'cunxin-screenshots');
if (!bin) { console.error('usage: node field.test.mjs <cunxin> <screenshot dir>'); process.exit(2); }
fs.mkdirSync(shots, { recursive: true });

const r = reporter('field');
// The modem page afresh (a goto to the same hash would not render again).
async function reload(page, sel) {
  await mark(page);
  await page.reload();
  await settled(page, sel);
}
const env = await start(bin, { limitMs: 200000, replyEvery: 0 });
try {
  const ctx = await env.browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
  const page = await ctx.newPage();
  await setupAdmin(page, env);
  const modems = await until('four ready modems', async () => {
    const m = await call(page, env, 'GET', '/modems');
    return m.body.items && m.body.items.length === 4 && m.body.items.every((x) => x.ready && x.iccid) && m.body.items;
  }, 60000);
  await go(page, env, '#/modems', '#selftest-run');
  r.check((await page.textContent('#main')).includes('SIM卡自检'), 'the modem page has the self-test card in Chinese');

  // Self-test from the button: every SIM passes, shown on the page in Chinese.
  await page.click('#selftest-run');
  await until('the toast that the self-test started', async () => (await page.textContent('body')).includes('自检已开始'), 10000);
  const passed = await until('every SIM passed on the page', async () => {
    await reload(page, '.selftest');
    const n = await page.locator('.selftest[data-ok="true"]').count();
    return n === modems.length && n;
  }, 90000, 1000);
  r.check(passed === 4, 'all four SIMs show their self-test result');
  const line = await page.textContent('.selftest[data-ok="true"]');
  r.check(/自检通过（往返 [0-9.]+ 秒，/.test(line), `the result is in Chinese with the round trip (${line})`);
  const health = await (await fetch(`${env.base}/api/v1/health`)).json();
  r.check(Array.isArray(health.selftest) && health.selftest.length === 4 && health.selftest.every((s) => s.ok === true && typeof s.seconds === 'number'),
    'GET /api/v1/health carries selftest per SIM');
  const inbox = await call(page, env, 'GET', '/messages?direction=in');
  r.check(inbox.body.items.every((m) => !m.text.includes('村信自检')), 'no test text in the inbox');

  // Credit from the button of the first modem: the carrier's answer shows as yuan.
  const first = page.locator('.balance').first();
  const iccid = await first.getAttribute('data-iccid');
  await first.locator('.balance-query').click();
  await until('the toast that the query went out', async () => (await page.textContent('body')).includes('发送查询短信'), 10000);
  const shown = await until('the balance on the page', async () => {
    await reload(page, '.balance');
    const text = await page.textContent(`.balance[data-iccid="${iccid}"] .balance-value`);
    return /[0-9]+\.[0-9]{2} 元/.test(text) && text;
  }, 60000, 1000);
  r.check(!!shown, `the SIM's credit is shown in yuan (${shown})`);
  const api = await call(page, env, 'GET', '/modems');
  const mine = api.body.items.find((m) => m.iccid === iccid);
  r.check(mine && typeof mine.balance === 'number' && shown.startsWith(mine.balance.toFixed(2)), 'the page agrees with balance in GET /api/v1/modems');
  r.check((await page.textContent('#main')).includes('话费余额'), 'labelled 话费余额');
  const sys = await page.textContent('.system-card');
  r.check(sys.includes('村信自检') && sys.includes('余额'), 'the admin sees the system messages (test texts and the carrier answer)');
  await page.screenshot({ path: path.join(shots, 'field-modems-1366.png'), fullPage: true });

  // The dashboard says so.
  await go(page, env, '#/dashboard', '#dash-selftest');
  r.check((await page.textContent('#dash-selftest')).includes('全部通过'), 'the dashboard shows the self-test passed');

  // A phone: nothing wider than the screen, the buttons still there.
  await page.setViewportSize({ width: 390, height: 844 });
  await go(page, env, '#/modems', '#selftest-run');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  r.check(width <= 391, `the modem page fits 390 px (scrollWidth ${width})`);
  r.check(await page.locator('.balance-query').first().isVisible(), 'the credit button is visible on a phone');
  await page.screenshot({ path: path.join(shots, 'field-modems-390.png'), fullPage: true });
} catch (e) {
  r.check(false, `unexpected: ${e.message}`);
  console.log(env.output().slice(-3000));
}
await env.stop(r.summary());
