// SPDX-License-Identifier: Apache-2.0
// Browser test of carrier blocking and SMS over LTE (issue 14 items 4 and 5) against `cunxin
// demo`, at 1366 px and 390 px: the carrier suspends a SIM (the simulator's control port sends
// the notice), the modem page shows why in Chinese with 恢复发送 for the admin, the network
// (access technology) and IMS state; the compose page warns about one identical text going to
// many recipients from few SIMs and stays quiet for a personalised one. Every wait is bounded.
//   node carrier.test.mjs <path to cunxin> <screenshot dir>

import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { start, setupAdmin, call, go, until, reporter } from './demo.mjs';

const bin = process.argv[2];
const shots = process.argv[3] || path.join(os.tmpdir(), 'cunxin-screenshots');
if (!bin) { console.error('usage: node carrier.test.mjs <cunxin> <screenshot dir>'); process.exit(2); }
fs.mkdirSync(shots, { recursive: true });
const r = reporter('carrier browser test');

// One JSON line to the demo simulator's control port, one JSON line back.
function control(port, request) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let buf = '';
    s.setTimeout(5000, () => { s.destroy(); reject(new Error('control port timeout')); });
    s.on('error', reject);
    s.on('data', (d) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) { s.end(); resolve(JSON.parse(buf.slice(0, nl))); }
    });
    s.write(JSON.stringify(request) + '\n');
  });
}

const env = await start(bin, { limitMs: 200000, replyEvery: 0 });
let code = 1;
try {
  const ctx = await env.browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
  const page = await ctx.newPage();
  await setupAdmin(page, env);
  const controlPort = Number((env.output().match(/control port 127\.0\.0\.1:(\d+)/) || [])[1]);
  r.check(controlPort > 0, 'the demo names its simulator control port');
  const modems = await until('four ready modems', async () => {
    const m = await call(page, env, 'GET', '/modems');
    return m.status === 200 && m.body.items.filter((x) => x.ready).length === 4 && m.body;
  }, 60000);
  r.check(modems.items.every((m) => m.access_technology === 'lte'), 'GET /modems: access_technology "lte" on each modem');
  r.check(modems.items.some((m) => m.ims === null) && modems.items.some((m) => m.ims === true),
    'IMS: registered on the Quectel/SIMCom modems, null on the Huawei stick (no AT+CIREG)');

  // The carrier suspends the first SIM and texts the notice.
  const s = await control(controlPort, { cmd: 'suspend', modem: 0 });
  r.check(s.ok === true, 'the simulator sends the carrier notice');
  const paused = await until('a paused SIM', async () => {
    const m = await call(page, env, 'GET', '/modems');
    return m.body.items.find((x) => x.paused);
  }, 30000);
  r.check(paused.pause && paused.pause.reason_code === 'carrier_notice', 'the notice paused its SIM (reason carrier_notice)');

  await go(page, env, '#/modems', `#pause-${paused.iccid}`);
  const reason = await page.textContent(`#pause-${paused.iccid} .pause-reason`);
  r.check(/涉嫌发送垃圾短信/.test(reason) && /运营商/.test(reason), `the pause reason in Chinese: ${reason}`);
  const text = await page.textContent('#main');
  r.check(text.includes('已暂停发送') && text.includes('联系运营商'), 'the card says sending is paused and what to do');
  r.check(text.includes('网络制式') && text.includes('4G (LTE)'), 'the network (access technology) is shown');
  r.check(text.includes('高清语音注册') && text.includes('已注册') && text.includes('设备不支持查询'), 'the IMS state is shown');
  await page.screenshot({ path: path.join(shots, 'carrier-modems-1366.png'), fullPage: true });

  await page.setViewportSize({ width: 390, height: 844 });
  await go(page, env, '#/dashboard', null);
  await go(page, env, '#/modems', `#pause-${paused.iccid}`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
  r.check(overflow <= 392, `no sideways scrolling at 390 px (${overflow})`);
  const btn = await page.$(`#pause-${paused.iccid} button.resume`);
  r.check(!!btn && await btn.isVisible(), 'the 恢复发送 button is there at 390 px');
  await page.screenshot({ path: path.join(shots, 'carrier-modems-390.png'), fullPage: true });
  // Compose: a low hourly limit in force and one SIM paused make an identical text to everyone risky.
  for (const sim of modems.sims) {
    const u = await call(page, env, 'PUT', `/sims/${sim.iccid}`, { limit_per_hour: 20 });
    if (u.status !== 200) throw new Error(`PUT /sims: ${u.status}`);
  }
  for (const width of [1366, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    await go(page, env, '#/dashboard', null);
    await go(page, env, '#/compose', '#camp-template');
    for (const box of await page.$$('input[data-kind="group"]')) await box.check();
    await page.fill('#camp-template', '请各村书记明天上午九点到镇政府开会，请准时参加。');
    const warn = await until('the identical-text warning', async () => {
      const ws = await page.$$eval('#camp-preview .camp-warning', (ns) => ns.map((n) => n.textContent));
      return ws.find((w) => w.includes('个性化'));
    }, 15000);
    r.check(/同一内容将发给 \d+ 人/.test(warn) && warn.includes('{姓名}') && warn.includes('分时段'),
      `${width} px: the compose page warns and suggests {姓名} and spreading: ${warn}`);
    await page.screenshot({ path: path.join(shots, `carrier-compose-${width}.png`), fullPage: true });
    await page.fill('#camp-template', '{姓名}同志：请明天上午九点到镇政府开会。');
    await until('the preview of the personalised text', async () => {
      const est = await page.textContent('#camp-preview');
      return est && est.includes('同志');
    }, 15000);
    const after = await page.$$eval('#camp-preview .camp-warning', (ns) => ns.map((n) => n.textContent).join(' '));
    r.check(!after.includes('个性化'), `${width} px: no warning for the personalised text`);
  }
  // The API user sees the same warning in the preview.
  const groups = await call(page, env, 'GET', '/groups');
  const pv = await call(page, env, 'POST', '/campaigns/preview', {
    template: '请各村书记明天上午九点到镇政府开会。', targets: { group_ids: groups.body.items.map((g) => g.id) } });
  const w = (pv.body.warnings || []).find((x) => x.code === 'identical_bulk');
  r.check(w && w.per_sim >= w.threshold && w.sims >= 1, 'POST /campaigns/preview carries the identical_bulk warning');
  // Resuming (the paused SIM counted as unavailable in the warning above).
  await page.setViewportSize({ width: 390, height: 844 });
  await go(page, env, '#/dashboard', null);
  await go(page, env, '#/modems', `#pause-${paused.iccid}`);
  const btn2 = await page.$(`#pause-${paused.iccid} button.resume`);
  page.once('dialog', (d) => d.accept());
  await btn2.click();
  await until('the SIM resumed', async () => {
    const m = await call(page, env, 'GET', '/modems');
    return m.body.items.every((x) => !x.paused);
  }, 15000);
  r.check(true, '恢复发送 lifts the pause');
  const audit = await call(page, env, 'GET', '/audit');
  r.check(JSON.stringify(audit.body).includes('sim.resume'), 'the resume is in the audit log');

  code = r.summary();
} catch (e) {
  console.error(e);
  r.check(false, `no exception: ${e.message}`);
  code = 1;
  console.log(env.output().slice(-3000));
}
await env.stop(code);
