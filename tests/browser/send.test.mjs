// SPDX-License-Identifier: Apache-2.0
// Browser test of sending (issue 11 items 2, 3, 4, 6, 12): Debian's headless Chromium driven by
// playwright-core against `cunxin demo` on 127.0.0.1, at 1366 px and 390 px.
//   node send.test.mjs <path to cunxin> <screenshot dir>
// Checks what a clerk needs: the confirmation step with counts, cost and the opted-out skipped,
// the typed count above the large-broadcast size, Chinese field chips, the rendered texts
// measured, the "reply 1" switch, confirmed/reminded counts, 发送状态不明, recipient rows that
// agree with the counters, Chinese ETA units, the SIM form showing the limits in force with a
// partial save keeping the others and "no limit" confirmed, saved templates, audiences by role
// and the anniversary preview. Every wait is bounded.

import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { freePort, reporter, until } from './demo.mjs';

const bin = process.argv[2];
const shots = process.argv[3] || path.join(os.tmpdir(), 'cunxin-screenshots');
if (!bin) { console.error('usage: node send.test.mjs <cunxin> <screenshot dir>'); process.exit(2); }
fs.mkdirSync(shots, { recursive: true });

const report = reporter('browser_send');
const { failures, check } = report;

const port = await freePort();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cunxin-send-'));
const base = `http://127.0.0.1:${port}`;
// Fast simulated modems and no random replies: the counts below are exact. The demo's
// default SIM limits are 60 a minute, 600 an hour, 2,000 a day.
const demo = spawn(bin, ['demo', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, '--reply-every', '0', '--latency-ms', '300'],
  { stdio: ['ignore', 'pipe', 'pipe'] });
let output = '';
demo.stdout.on('data', (d) => { output += d; });
demo.stderr.on('data', (d) => { output += d; });
const hardStop = setTimeout(() => { console.error('send browser test: overall time limit'); cleanup(1); }, 230000);

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

// The panel's own session (cookie + CSRF token) from inside the page.
function api(page, method, p, body) {
  return page.evaluate(async ({ method, p, body }) => {
    const st = await (await fetch('/api/v1/auth/state')).json();
    const r = await fetch('/api/v1' + p, { method, headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': st.csrf || '' },
      body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: r.status, j: await r.json().catch(() => null) };
  }, { method, p, body });
}

// One JSON-lines request to the simulator's control port (127.0.0.1).
function controlRequest(port, req) {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let buf = '';
    const done = (v) => { clearTimeout(timer); sock.destroy(); resolve(v); };
    const timer = setTimeout(() => done(null), 5000);
    sock.on('connect', () => sock.write(JSON.stringify(req) + '\n'));
    sock.on('data', (d) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) { try { done(JSON.parse(buf.slice(0, nl))); } catch (_) { done(null); } }
    });
    sock.on('error', () => done(null));
  });
}

async function fits(page, what) {
  await page.waitForTimeout(200);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  const vw = page.viewportSize().width;
  check(width <= vw, `${what} fits ${vw} px (scrollWidth ${width})`);
}

try {
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
  const dialogs = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' && /Content Security Policy|Refused/.test(m.text())) problems.push(m.text()); });
  page.on('dialog', async (d) => { dialogs.push(`${d.type()}: ${d.message()}`); await d.accept(d.type() === 'prompt' ? '换届选举通知' : undefined); });

  await page.goto(base + '/');
  await page.waitForSelector('#setup-code', { timeout: 15000 });
  await page.fill('#setup-code', code);
  await page.fill('#setup-user', 'admin');
  await page.fill('#setup-pass', 'correct horse battery');
  await page.click('#setup-submit');
  await page.waitForSelector('#nav-dashboard', { state: 'attached', timeout: 15000 });

  // Two of 石桥村's six contacts unsubscribed; broadcasts above 3 need the count typed.
  const village = '石桥村';
  const people = (await api(page, 'GET', '/contacts?village=' + encodeURIComponent(village))).j.items;
  check(people.length === 6, `demo village ${village} has 6 contacts (${people.length})`);
  for (const c of people.slice(0, 2)) check((await api(page, 'PUT', `/contacts/${c.id}`, { opted_out: true })).status === 200, `${c.name} unsubscribed`);
  check((await api(page, 'PUT', '/settings', { large_broadcast_threshold: 3 })).status === 200, 'large-broadcast size set to 3');

  // ---- Item 3 + 2 + 12: compose at 1366 px.
  await page.goto(base + '/#/compose');
  await page.waitForSelector('#pick-village input', { timeout: 15000 });
  const chips = await page.textContent('#camp-chips');
  check(chips.includes('{姓名}') && chips.includes('{村}') && !/\{name\}/.test(chips), `field chips in Chinese (${chips.trim()})`);
  const roles = await page.textContent('#pick-role');
  check(['村支书', '村主任', '村委委员', '党员'].every((r) => roles.includes(r)), `audiences by role offered (${roles.trim()})`);
  const options = await page.locator('#camp-pick-template option').allTextContents();
  check(options.includes('会议通知'), `saved templates to pick from (${options.join(', ')})`);
  await page.selectOption('#camp-pick-template', { label: '会议通知' });
  check((await page.inputValue('#camp-template')).includes('{姓名}'), 'picking a template fills the text');
  await page.locator('#pick-village label', { hasText: village }).locator('input').check();
  await until('the preview', async () => /发送给 4 人/.test(await page.textContent('#camp-estimate')), 15000);
  const estimate = await page.textContent('#camp-estimate');
  check(/发送给 4 人 · 约 4 条短信 · 预计 ¥0\.40/.test(estimate), `preview counts and charges only who receives it (${estimate})`);
  check((await page.textContent('#camp-skipped')).includes('跳过 2 位已退订'), 'preview says how many unsubscribed are skipped');
  const counter = await page.textContent('#camp-counter');
  check(/最长一条 \d+ 字，1 条\/人；共 4 条/.test(counter), `counter measures the rendered texts (${counter})`);
  const sample = await page.locator('#camp-preview .bubble .text').first().textContent();
  check(!sample.includes('{') && sample.includes('同志'), `samples are rendered (${sample})`);
  // The confirmation switch: the text already asks to reply 1, so nothing is added twice.
  const before = await page.inputValue('#camp-template');
  await page.check('#camp-confirm');
  check(await page.isEnabled('#camp-remind'), 'reply-1 switch enables the reminder delay');
  check((await page.inputValue('#camp-template')) === before, 'a text that already asks to reply 1 is left alone');
  await page.selectOption('#camp-remind', '4');
  await page.fill('#camp-name', '浏览器测试：确认收到');
  await page.screenshot({ path: path.join(shots, 'send-01-compose-1366.png'), fullPage: true });
  await page.click('#camp-send');
  await page.waitForSelector('#send-confirm[open]', { timeout: 10000 });
  const summary = await page.textContent('#confirm-summary');
  check(summary === '发送给 4 人，约 4 条短信，预计 ¥0.40', `confirmation step states what leaves (${summary})`);
  check((await page.textContent('#confirm-skipped')) === '跳过 2 位已退订', 'confirmation step states the unsubscribed skipped');
  check(await page.isDisabled('#confirm-go'), 'above the large-broadcast size the send button waits for the typed count');
  await page.fill('#confirm-count', '5');
  check(await page.isDisabled('#confirm-go'), 'a wrong count does not unlock sending');
  await page.fill('#confirm-count', '4');
  check(await page.isEnabled('#confirm-go'), 'the right count unlocks sending');
  await page.screenshot({ path: path.join(shots, 'send-02-confirm-1366.png') });  // the dialog is in the top layer: viewport shot
  await page.click('#confirm-go');
  await page.waitForURL(/#\/campaign\/\d+/, { timeout: 15000 });
  const campaignUrl = page.url();

  // ---- Item 2 + 6: the campaign page.
  await page.waitForSelector('.page.campaign', { timeout: 15000 });
  check((await page.textContent('#camp-confirm-info')).includes('4 小时后提醒'), 'campaign page says replies of 1 are asked, reminder in 4 h');
  check(await page.locator('#count-confirmed').count() === 1 && await page.locator('#count-reminded').count() === 1,
    'confirmed and reminded counts shown');
  check((await page.textContent('#count-uncertain')).includes('发送状态不明'), '待确认 renamed 发送状态不明');
  const etas = new Set();
  await until('the campaign to finish', async () => {
    const e = (await page.textContent('.page.campaign .eta').catch(() => '')) || '';
    if (e.trim()) etas.add(e.trim());
    return (await page.getAttribute('.page.campaign', 'data-status')) === 'done';
  }, 90000, 250);
  check([...etas].every((e) => /^预计剩余: 约 [\d.]+ (秒|分钟|小时)$/.test(e)), `ETA in Chinese units (${[...etas].join(' | ') || 'none seen'})`);
  const units = await page.evaluate(async () => {
    const m = await import('/js/h.js');
    return [m.fmtDuration(2), m.fmtDuration(300), m.fmtDuration(5400)];
  });
  check(units.join('|') === '约 2 秒|约 5 分钟|约 1.5 小时', `durations read 约 2 秒 / 约 5 分钟 / 约 1.5 小时 (${units.join(', ')})`);
  await until('rows and counters to agree', async () => {
    const delivered = Number(await page.textContent('#count-delivered strong'));
    const sent = Number(await page.textContent('#count-sent strong'));
    const rows = await page.locator('#camp-recipients tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.status));
    const queued = rows.filter((s) => s === 'queued' || s === 'sending').length;
    return queued === 0 && rows.filter((s) => s === 'delivered').length === delivered &&
      rows.filter((s) => s === 'sent').length === sent && delivered + sent === 4;
  }, 30000, 500);
  check(true, 'recipient rows agree with the counters (no 排队中 once delivered)');
  const optedRows = await page.locator('#camp-recipients tbody tr[data-status="opted_out"]').count();
  check(optedRows === 2, `the two unsubscribed are listed as skipped (${optedRows})`);
  check(await page.locator('#camp-recipients th', { hasText: '确认' }).count() === 1, 'recipient table has a confirmation column');
  await page.screenshot({ path: path.join(shots, 'send-03-campaign-1366.png'), fullPage: true });

  // A recipient answers "1" (through the simulator's control port, as a real SMS): the open
  // page counts it as confirmed, and the inbox files it without a category (not 01 政策咨询).
  const campPath = campaignUrl.replace(/.*#\/campaign\//, '/campaigns/');
  const camp = (await api(page, 'GET', campPath)).j;
  check(camp.confirm_request === true && camp.progress.confirmed === 0, 'campaign stored as a confirmation request');
  const who = (await api(page, 'GET', campPath + '/recipients')).j.items.find((r) => r.status === 'delivered' || r.status === 'sent');
  const control = Number((output.match(/control port 127\.0\.0\.1:(\d+)/) || [])[1]);
  check(control > 0 && !!who, `the demo's simulator control port (${control})`);
  const injected = await controlRequest(control, { cmd: 'inject', modem: 0, from: who.mobile, text: '1' });
  check(injected && injected.ok === true, 'a reply "1" arrives from a recipient');
  await until('the confirmation on the open page', async () => (await page.textContent('#count-confirmed strong').catch(() => '')) === '1', 30000, 300);
  check(true, 'the campaign page counts the reply 1 as 已确认 (1)');
  const row = await page.textContent(`#camp-recipients tr[data-mobile="${who.mobile}"] .rcpt-confirmed`);
  check(row === '已确认', `the recipient's row says 已确认 (${row})`);
  const inbox = (await api(page, 'GET', '/messages?direction=in&peer=' + encodeURIComponent(who.mobile))).j.items;
  check(inbox.length === 1 && inbox[0].category === null && inbox[0].status === 'handled', `the 1 is not filed as 01 政策咨询 (${JSON.stringify(inbox.map((m) => m.category))})`);
  await page.screenshot({ path: path.join(shots, 'send-03b-confirmed-1366.png'), fullPage: true });

  // ---- Item 4: the SIM form on the modems page.
  await page.goto(base + '/#/modems');
  await page.waitForSelector('.modem details summary', { timeout: 30000 });
  const form = page.locator('.modem form.sim-form').first();
  const iccid = await form.getAttribute('data-iccid');
  await page.locator('.modem details summary').first().click();
  const val = async (k) => form.locator(`input[name="${k}"]`).inputValue();
  const shown = [await val('limit_per_minute'), await val('limit_per_hour'), await val('limit_per_day')];
  check(shown.join('/') === '60/600/2000', `the form shows the limits in force, not 0 (${shown.join('/')})`);
  await form.locator('input[name="limit_per_day"]').fill('500');
  await form.locator('button[type="submit"]').click();
  const toast1 = await until('the save toast', async () => (await page.locator('.toast').allTextContents()).find((x) => x.includes('每天')), 10000);
  check(toast1.includes('每分钟 60') && toast1.includes('每小时 600') && toast1.includes('每天 500'), `saving one field keeps the others (${toast1})`);
  let sim = (await api(page, 'GET', '/modems')).j.sims.find((s) => s.iccid === iccid);
  check(sim.limits_in_force.per_hour === 600 && sim.limits_in_force.per_day === 500 && sim.limit_per_hour === null,
    `API: per_hour still in force 600, per_day 500 (${JSON.stringify(sim.limits_in_force)})`);
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(shots, 'send-04-sim-form-1366.png'), fullPage: true });
  // "No limit" is a checkbox of its own, and it asks first.
  const formNow = page.locator(`form.sim-form[data-iccid="${iccid}"]`).first();
  if (!(await formNow.isVisible())) await page.locator('.modem details summary').first().click();
  const asked = dialogs.length;
  await formNow.locator('input[name="limit_per_hour_none"]').check();
  await formNow.locator('button[type="submit"]').click();
  await until('the no-limit confirmation', async () => dialogs.length > asked, 10000);
  check(dialogs[dialogs.length - 1].startsWith('confirm') && dialogs[dialogs.length - 1].includes('防封'), `no limit needs a confirmation (${dialogs[dialogs.length - 1]})`);
  await until('no limit saved', async () => (await api(page, 'GET', '/modems')).j.sims.find((s) => s.iccid === iccid).limits_in_force.per_hour === 0, 10000);
  sim = (await api(page, 'GET', '/modems')).j.sims.find((s) => s.iccid === iccid);
  check(sim.limits_in_force.per_minute === 60 && sim.limits_in_force.per_day === 500, 'lifting one limit keeps the others');
  check((await api(page, 'PUT', `/sims/${iccid}`, { limit_per_hour: null, limit_per_day: null })).status === 200, 'limits back to the defaults');

  // ---- Item 12: templates page, and the anniversary preview on the campaigns page.
  await page.goto(base + '/#/templates');
  await page.waitForSelector('.page.templates', { timeout: 15000 });
  check((await page.locator('.page.templates li.template h3').allTextContents()).includes('会议通知'), 'templates page lists the saved templates');
  const add = page.locator('form.template-form[data-template="new"]');
  await add.locator('input[name="name"]').fill('秋收动员');
  await add.locator('textarea[name="body"]').fill('{姓名}同志：{村}秋收动员会周五上午召开，请准时参加。');
  await add.locator('button[type="submit"]').click();
  await until('the new template', async () => (await page.locator('.page.templates li.template h3').allTextContents()).includes('秋收动员'), 10000);
  check(true, 'a template is saved from the templates page');
  await page.screenshot({ path: path.join(shots, 'send-05-templates-1366.png'), fullPage: true });
  await page.locator('li.template', { hasText: '秋收动员' }).locator('a.button').click();
  await page.waitForSelector('#camp-template', { timeout: 15000 });
  check((await page.inputValue('#camp-template')).includes('秋收动员会'), '用此模板群发 opens compose with the text');
  await page.goto(base + '/#/campaigns');
  await page.waitForSelector('#greetings-card', { timeout: 15000 });
  const days = await page.locator('#greetings li.greeting-day').count();
  check(days === 7, `anniversary preview covers today and the coming week (${days} days)`);
  check((await page.textContent('#greetings li.greeting-day >> nth=0')).startsWith('今天'), 'the preview starts with today');
  const upcoming = (await api(page, 'GET', '/greetings/upcoming?days=7')).j;
  const total = upcoming.days.reduce((n, d) => n + d.items.length, 0);
  check(await page.locator('#greetings li.greeting').count() === total, `every greeting of the week listed (${total})`);
  await page.screenshot({ path: path.join(shots, 'send-06-campaigns-greetings-1366.png'), fullPage: true });

  // ---- 390 px: the same steps fit a phone.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
    storageState: await context.storageState(), locale: 'zh-CN' });
  const p2 = await phone.newPage();
  p2.on('pageerror', (e) => problems.push(`pageerror (phone): ${e.message}`));
  p2.on('dialog', async (d) => { await d.accept(); });
  await p2.goto(base + '/#/compose');
  await p2.waitForSelector('#pick-role input', { timeout: 15000 });
  await p2.locator('#pick-role label', { hasText: '村支书' }).locator('input').check();
  await p2.fill('#camp-template', '{姓名}同志：明天上午九点开会。');
  // Six village secretaries, one of them (石桥村's) unsubscribed above.
  await until('the phone preview', async () => /发送给 5 人/.test(await p2.textContent('#camp-estimate')), 15000);
  check((await p2.textContent('#camp-skipped')).includes('跳过 1 位已退订'), 'role 村支书 reaches the village secretaries without building a group');
  await p2.check('#camp-confirm');
  check((await p2.inputValue('#camp-template')).endsWith('收到请回复1。'), 'the reply-1 switch adds 收到请回复1');
  await p2.fill('#camp-name', '手机测试');
  await fits(p2, '#/compose');
  await p2.screenshot({ path: path.join(shots, 'send-07-compose-390.png'), fullPage: true });
  await p2.click('#camp-send');
  await p2.waitForSelector('#send-confirm[open]', { timeout: 10000 });
  check((await p2.textContent('#confirm-summary')).startsWith('发送给 5 人，约 5 条短信，预计 ¥'), 'confirmation step on the phone');
  const box = await p2.locator('#send-confirm').boundingBox();
  check(box && box.x >= 0 && box.x + box.width <= 390, `the confirmation fits 390 px (${box && Math.round(box.width)} px)`);
  await p2.screenshot({ path: path.join(shots, 'send-08-confirm-390.png') });
  await p2.click('#confirm-back');
  check(await p2.locator('#send-confirm').count() === 0, '返回修改 sends nothing');
  for (const [hash, name] of [[campaignUrl.replace(/.*#/, '#'), 'send-09-campaign-390'], ['#/modems', 'send-10-modems-390'],
    ['#/templates', 'send-11-templates-390'], ['#/campaigns', 'send-12-campaigns-390']]) {
    await p2.goto(base + '/' + hash);
    await p2.waitForSelector('.page', { timeout: 15000 });
    if (hash === '#/modems') {
      await p2.waitForSelector('.modem form.sim-form', { state: 'attached', timeout: 20000 });
      const v = await until('the phone SIM form', async () => {
        const x = await p2.locator('.modem form.sim-form input[name="limit_per_hour"]').first().inputValue({ timeout: 2000 });
        return x === '600' ? x : null;
      }, 20000, 300).catch((e) => String(e));
      check(v === '600', `phone: the SIM form shows the limit in force (${v})`);
      await p2.locator('.modem details summary').first().click().catch(() => {});
    }
    await fits(p2, hash);
    await p2.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  }
  const list = await api(page, 'GET', '/campaigns');
  check(list.j.items.length === 1, `only the confirmed broadcast exists (${list.j.items.length})`);

  // ---- Item 5: when every SIM's monthly budget is spent, the campaign says why it waits,
  // and goes on once a budget is raised.
  const sims = (await api(page, 'GET', '/modems')).j.sims;
  for (const x of sims) await api(page, 'PUT', `/sims/${x.iccid}`, { monthly_budget_fen: 1 });
  const held = await api(page, 'POST', '/campaigns', { name: '预算测试', template: '{姓名}：预算测试。', targets: { villages: ['青山村'] },
    start_now: true, confirm_count: 6 });
  check(held.status === 201, `a broadcast is queued while budgets are spent (${held.status})`);
  await page.goto(base + `/#/campaign/${held.j.id}`);
  const why = await until('the waiting reason', async () => page.textContent('#camp-waiting').catch(() => ''), 20000, 500);
  check(why.includes('预算已用完'), `the campaign says why it waits (${why})`);
  await page.screenshot({ path: path.join(shots, 'send-13-waiting-budget-1366.png'), fullPage: true });
  for (const x of sims) await api(page, 'PUT', `/sims/${x.iccid}`, { monthly_budget_fen: 0 });
  await until('the held broadcast to finish', async () => (await page.getAttribute('.page.campaign', 'data-status').catch(() => '')) === 'done', 60000, 500);
  check(true, 'raising the budget lets the held broadcast finish');
  check(problems.length === 0, `no CSP violation or page error ${problems.join(' | ')}`);
} catch (e) {
  failures.push(String(e && e.stack || e));
  console.log('FAIL ' + e);
  console.log('--- demo output (tail) ---\n' + output.split('\n').slice(-30).join('\n'));
}
report.summary();
console.log(`screenshots in ${shots}`);
await cleanup(failures.length ? 1 : 0);
