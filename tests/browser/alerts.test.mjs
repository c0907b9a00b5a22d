// SPDX-License-Identifier: Apache-2.0
// Browser test of alerts (issue 14 items 3 and 6): Debian's headless Chromium driven by
// playwright-core against `cunxin demo` on 127.0.0.1, at 1366 px and 390 px.
//   node alerts.test.mjs <path to cunxin> <screenshot dir>
// An urgent "03" reply injected through the demo simulator's control port shows on the
// dashboard's 告警 card (text, kind, the duty official and that it was sent); the settings page
// lists the duty officials read-only; the compose page's 未接来电即确认 checkbox needs the
// reply-1 switch and reaches the campaign. Every wait is bounded.

import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { freePort, reporter, until } from './demo.mjs';

const bin = process.argv[2];
const shots = process.argv[3] || path.join(os.tmpdir(), 'cunxin-screenshots');
if (!bin) { console.error('usage: node alerts.test.mjs <cunxin> <screenshot dir>'); process.exit(2); }
fs.mkdirSync(shots, { recursive: true });

const report = reporter('browser_alerts');
const { failures, check } = report;

const port = await freePort();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cunxin-alerts-'));
const base = `http://127.0.0.1:${port}`;
// Fast simulated modems and no random replies: the counts below are exact. The demo's
// default SIM limits are 60 a minute, 600 an hour, 2,000 a day.
const demo = spawn(bin, ['demo', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, '--reply-every', '0', '--latency-ms', '300'],
  { stdio: ['ignore', 'pipe', 'pipe'] });
let output = '';
demo.stdout.on('data', (d) => { output += d; });
demo.stderr.on('data', (d) => { output += d; });
const hardStop = setTimeout(() => { console.error('alerts browser test: overall time limit'); cleanup(1); }, 170000);

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
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' && /Content Security Policy|Refused/.test(m.text())) problems.push(m.text()); });

  await page.goto(base + '/');
  await page.waitForSelector('#setup-code', { timeout: 15000 });
  await page.fill('#setup-code', code);
  await page.fill('#setup-user', 'admin');
  await page.fill('#setup-pass', 'correct horse battery');
  await page.click('#setup-submit');
  await page.waitForSelector('#nav-dashboard', { state: 'attached', timeout: 15000 });

  // A villager of the demo reports something urgent (03) as a real SMS through the simulator.
  const people = (await api(page, 'GET', '/contacts?limit=5')).j.items;
  const who = people.find((c) => c.mobile);
  const control = Number((output.match(/control port 127\.0\.0\.1:(\d+)/) || [])[1]);
  check(control > 0 && !!who, `the demo's simulator control port (${control})`);
  const hostile = '<img src=x onerror=alert(1)>';
  const injected = await controlRequest(control, { cmd: 'inject', modem: 0, from: who.mobile, text: `03 河堤有裂缝 ${hostile}` });
  check(injected && injected.ok === true, 'an urgent 03 reply arrives');
  const alerts = await until('the alert', async () => {
    const r = await api(page, 'GET', '/alerts');
    return r.status === 200 && r.j.alerts.length > 0 && r.j.alerts[0].sends.some((s) => s.state === 'sent') && r.j;
  }, 30000);
  check(alerts.duty.length === 1 && alerts.duty[0].name === '值班员（演示）', 'the demo has one official on duty');
  check(alerts.alerts[0].kind === 'urgent_reply', `the alert is an urgent reply (${alerts.alerts[0].kind})`);

  // ---- The dashboard's 告警 card at 1366 px.
  await page.goto(base + '/#/dashboard');
  await page.waitForSelector('#dash-alerts', { timeout: 15000 });
  // The dashboard may first show what it had loaded before (a loaded machine): wait for the
  // alert to be in the card, bounded, then check what the card says.
  const cardText = await until('the alert on the card', async () => {
    const t = await page.textContent('#dash-alerts');
    return t.includes('河堤有裂缝') ? t : false;
  }, 15000).catch(async () => page.textContent('#dash-alerts'));
  check(cardText.includes('告警'), 'the card is titled 告警');
  check(cardText.includes('河堤有裂缝'), 'the card shows the alert text');
  check(cardText.includes('紧急反映'), 'the card names the kind in Chinese');
  check(cardText.includes('值班员（演示）') && cardText.includes('已发'), 'the card says who got it, and that it was sent');
  check(await page.locator('#dash-alerts img').count() === 0, 'hostile SMS text stays text in the card');
  await page.screenshot({ path: path.join(shots, 'alerts-01-dashboard-1366.png'), fullPage: true });

  // ---- Settings: the duty list, read-only.
  await page.goto(base + '/#/settings');
  await page.waitForSelector('#s-duty', { timeout: 15000 });
  const duty = await page.textContent('#s-duty');
  check(duty.includes('值班员（演示）') && duty.includes('+8613900000000'), 'settings list the official on duty');
  check(duty.includes('配置文件'), 'settings say the duty list comes from the config file');
  check(await page.locator('#s-duty input').count() === 0, 'the duty list is read-only');

  // ---- Compose: 未接来电即确认 needs the reply-1 switch and reaches the campaign.
  await page.goto(base + '/#/compose');
  await page.waitForSelector('#camp-missed-call', { state: 'attached', timeout: 15000 });
  check((await page.textContent('#camp-missed-call-label')).includes('未接来电即确认'), 'the checkbox is labelled 未接来电即确认');
  check(await page.isDisabled('#camp-missed-call'), 'without the reply-1 switch the missed-call option is off');
  await page.check('#camp-confirm');
  check(await page.isEnabled('#camp-missed-call'), 'the reply-1 switch enables it');
  await page.check('#camp-missed-call');
  await page.fill('#camp-name', '浏览器测试：防汛');
  await page.fill('#camp-template', '今晚有暴雨，请做好防汛准备。');
  await page.fill('#camp-numbers', who.mobile);
  await page.screenshot({ path: path.join(shots, 'alerts-02-compose-1366.png'), fullPage: true });
  await page.click('#camp-send');
  await page.waitForSelector('#send-confirm[open]', { timeout: 10000 });
  await page.click('#confirm-go');
  await page.waitForURL(/#\/campaign\/\d+/, { timeout: 15000 });
  const id = Number(page.url().match(/#\/campaign\/(\d+)/)[1]);
  const camp = (await api(page, 'GET', `/campaigns/${id}`)).j;
  check(camp.confirm_request === true && camp.missed_call_confirms === true, 'the campaign takes a missed call as confirmation');

  // ---- 390 px: the card and the checkbox on a phone.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', isMobile: true, hasTouch: true,
    storageState: await context.storageState() });
  const p2 = await phone.newPage();
  p2.on('pageerror', (e) => problems.push(`pageerror (390): ${e.message}`));
  await p2.goto(base + '/#/dashboard');
  await p2.waitForSelector('#dash-alerts', { timeout: 15000 });
  check((await p2.textContent('#dash-alerts')).includes('河堤有裂缝'), 'the alerts card at 390 px');
  check(await p2.isVisible('#dash-alerts'), 'the alerts card is visible at 390 px');
  await fits(p2, '#/dashboard');
  await p2.screenshot({ path: path.join(shots, 'alerts-03-dashboard-390.png'), fullPage: true });
  await p2.goto(base + '/#/compose');
  await p2.waitForSelector('#camp-missed-call', { state: 'attached', timeout: 15000 });
  await p2.check('#camp-confirm');
  await p2.check('#camp-missed-call');
  check(await p2.isChecked('#camp-missed-call'), 'the checkbox works at 390 px');
  const box = await p2.locator('#camp-missed-call-label').boundingBox();
  check(box && box.x >= 0 && box.x + box.width <= 390, 'the checkbox label fits 390 px');
  await fits(p2, '#/compose');
  await p2.screenshot({ path: path.join(shots, 'alerts-04-compose-390.png'), fullPage: true });

  check(problems.length === 0, `no page errors or CSP refusals (${problems.join(' | ')})`);
} catch (e) {
  failures.push(`exception: ${e.stack || e}`);
  console.log(`FAIL exception: ${e.stack || e}`);
}
report.summary();
if (failures.length) console.log(output.slice(-3000));
await cleanup(failures.length ? 1 : 0);
