// SPDX-License-Identifier: Apache-2.0
// The county hub's panel (web/hub) in Debian's headless Chromium, in Chinese, at 390 and 1366 px:
// a real mosquitto on loopback with the shipped configuration (TLS with make-county-ca.sh's CA,
// the shipped ACL, credentials from `cunxin hub add-box`), the real `cunxin hub` daemon on mqtts,
// and townships speaking the county protocol through the broker with their own credentials
// (mosquitto_pub / mosquitto_sub as box `xinglong` and `dongshan`: presence, health, progress,
// replies). Checks: overview, each box's health, a notice composed in the panel
// reaches the box's command topic with its selection, progress per township, replies and their
// summary (an anonymous reply shows no number), hostile text inert, no page wider than the
// screen, no English outside a short allowlist.
//   node hub.test.mjs <path to cunxin> <screenshot dir>

import { chromium } from 'playwright-core';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { reporter, until, ADMIN } from './demo.mjs';

const bin = process.argv[2];
const shots = process.argv[3] || path.join(os.tmpdir(), 'cunxin-screenshots');
if (!bin) { console.error('usage: node hub.test.mjs <cunxin> <screenshot dir>'); process.exit(2); }
fs.mkdirSync(shots, { recursive: true });
const here = path.dirname(new URL(import.meta.url).pathname);
const source = path.resolve(here, '../..');
const { check, summary } = reporter('hub');

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cunxin-hub-browser-'));
const children = [];
let browser = null;
async function stop(code) {
  clearTimeout(hardStop);
  try { if (browser) await browser.close(); } catch (_) { /* closing anyway */ }
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(code);
}
const hardStop = setTimeout(() => { console.error('hub browser test: overall time limit'); stop(1); }, 200000);

function run(name, args) {
  const c = spawn(name, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  c.stdout.on('data', (d) => { out += d; });
  c.stderr.on('data', (d) => { out += d; });
  c.output = () => out;
  children.push(c);
  return c;
}

try {
  // --- broker: the shipped mosquitto.conf and ACL, moved into the temp dir and onto a loopback
  // port; TLS with a county CA from make-county-ca.sh; passwords from `cunxin hub add-box` ---
  const mqttPort = await freePort();
  const etc = path.join(dir, 'cunxin');
  const ca = spawnSync(path.join(source, 'board/mosquitto/make-county-ca.sh'), [etc, 'localhost', '127.0.0.1'], { encoding: 'utf8' });
  check(ca.status === 0, `make-county-ca.sh made the county CA and the broker's certificate${ca.status ? ': ' + ca.stderr : ''}`);
  const caFile = path.join(etc, 'ca.crt');
  const cred = {};
  let passwd = '';
  for (const name of ['hub', 'xinglong', 'dongshan']) {
    const r = spawnSync(bin, ['hub', 'add-box', name, '--broker', `mqtts://127.0.0.1:${mqttPort}`, '--ca', caFile, '--json'], { encoding: 'utf8' });
    check(r.status === 0, `cunxin hub add-box ${name} --json`);
    cred[name] = JSON.parse(r.stdout);
    passwd += cred[name].password_file_line + '\n';
  }
  fs.writeFileSync(path.join(etc, 'passwd'), passwd);
  fs.copyFileSync(path.join(source, 'board/mosquitto/acl'), path.join(etc, 'acl'));
  let conf = fs.readFileSync(path.join(source, 'board/mosquitto/mosquitto.conf'), 'utf8');
  const edits = [['pid_file /run/mosquitto/mosquitto.pid\n', ''], ['persistence true', 'persistence false'],
    ['log_dest file /var/log/mosquitto/mosquitto.log', 'log_dest stderr'], ['listener 8883\n', `listener ${mqttPort} 127.0.0.1\n`]];
  for (const [from, to] of edits) {
    check(conf.includes(from), `the shipped mosquitto.conf has "${from.trim()}"`);
    conf = conf.replace(from, to);
  }
  conf = conf.split('/etc/mosquitto/cunxin/').join(`${etc}/`);
  if (process.getuid && process.getuid() === 0) conf += '\nuser root\n';  // root's temp dir
  fs.writeFileSync(path.join(dir, 'mosquitto.conf'), conf);
  const broker = run('/usr/sbin/mosquitto', ['-c', path.join(dir, 'mosquitto.conf')]);
  await until('mosquitto', () => /listen socket on port/.test(broker.output()), 10000);

  const mqtt = (box, topic, payload, retain = false) => {
    const r = spawnSync('/usr/bin/mosquitto_pub', ['-h', '127.0.0.1', '-p', String(mqttPort), '--cafile', caFile, '-V', 'mqttv5', '-u', box,
      '-P', cred[box].password, '-i', box, '-q', '1', '-t', topic, '-m', payload, ...(retain ? ['-r'] : [])], { encoding: 'utf8', timeout: 10000 });
    return r.status === 0;
  };
  const seq = { xinglong: 0, dongshan: 0 };
  const now = () => Math.floor(Date.now() / 1000);
  const event = (box, type, body) => mqtt(box, `cunxin/v1/box/${box}/event`,
    JSON.stringify({ v: 1, id: `${box}:${++seq[box]}`, type, at: now(), ...body }));

  // --- the hub ---
  const httpPort = await freePort();
  const hubDir = path.join(dir, 'hub');
  fs.mkdirSync(hubDir);
  fs.writeFileSync(path.join(dir, 'hub.json'), JSON.stringify(cred.hub.config, null, 2));
  const hub = run(bin, ['hub', '--config', path.join(dir, 'hub.json'), '--data-dir', hubDir, '--listen', `127.0.0.1:${httpPort}`]);
  const base = `http://127.0.0.1:${httpPort}`;
  const code = await until('the hub\'s setup code', () => (hub.output().match(/setup code: ([A-Z0-9]{4}-[A-Z0-9]{4})/) || [])[1], 30000);
  await until('the hub\'s server', async () => (await fetch(`${base}/api/v1/health`)).ok, 20000);

  // Two townships come online and report their health.
  check(mqtt('xinglong', 'cunxin/v1/box/xinglong/status', 'online', true), 'xinglong publishes its presence');
  check(mqtt('dongshan', 'cunxin/v1/box/dongshan/status', 'online', true), 'dongshan publishes its presence');
  check(event('xinglong', 'health', { modems: 4, modems_ready: 3, queue: 12, last_error: null,
    selftest: [{ iccid: '89860012345678901234', ok: true, at: now() - 600, seconds: 14 }],
    balance: { '89860012345678901234': 52.3, '89860012345678905678': 8.1 } }), 'xinglong reports its health');
  check(event('dongshan', 'health', { modems: 2, modems_ready: 0, queue: 40, selftest: [{ iccid: '8986', ok: false, at: now() - 3600 }],
    balance: null, last_error: '短信猫无响应' }), 'dongshan reports its health');
  // A forged event for another box is refused by the broker (publish succeeds locally, nothing arrives).
  mqtt('xinglong', 'cunxin/v1/box/dongshan/event', JSON.stringify({ v: 1, id: 'dongshan:99', type: 'health', modems: 99 }));

  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true,
    args: ['--headless', '--lang=zh-CN', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const external = [];
  page.on('request', (r) => { if (!r.url().startsWith(base)) external.push(r.url()); });

  // First start: the shared setup page creates the hub's admin, then the overview shows.
  await page.goto(`${base}/`);
  await page.waitForSelector('#setup-code', { timeout: 15000 });
  await page.fill('#setup-code', code);
  await page.fill('#setup-user', ADMIN.username);
  await page.fill('#setup-pass', ADMIN.password);
  await page.click('#setup-submit');
  await page.waitForSelector('#nav-boxes', { state: 'attached', timeout: 15000 });
  check(await page.evaluate(() => document.documentElement.lang) === 'zh-CN', 'the hub panel is in Chinese');

  const api = async (method, p, body) => {
    const state = await (await page.request.get(`${base}/api/v1/auth/state`)).json();
    const res = await page.request.fetch(`${base}/api/v1${p}`, { method,
      headers: { 'X-CSRF-Token': state.csrf || '', 'Content-Type': 'application/json', Accept: 'application/json' },
      data: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status(), body: await res.json().catch(() => null) };
  };
  await until('both boxes with their health at the hub', async () => {
    const r = await api('GET', '/county/boxes');
    const b = r.body && r.body.items;
    return b && b.length === 2 && b.every((x) => x.modems !== null && x.modems !== undefined) && b;
  }, 15000);

  // A fresh load each time (the same hash twice would not re-render).
  const go = async (hash, sel) => {
    await page.goto(`${base}/#/${hash}`);
    await page.reload();
    await page.waitForSelector(sel, { state: 'attached', timeout: 15000 });
    await page.waitForTimeout(200);
  };
  const text = (sel) => page.textContent(sel);

  // Overview and health.
  await go('dashboard', '#dash-online');
  check((await text('#dash-online')).includes('2/2'), `overview: 2/2 townships online (${await text('#dash-online')})`);
  await go('boxes', 'section[data-box="xinglong"]');
  const xl = await text('section[data-box="xinglong"]');
  check(xl.includes('3/4') && xl.includes('¥52.30') && xl.includes('¥8.10') && xl.includes('12'), `boxes: xinglong's modems, credit per SIM, queue (${xl.replace(/\s+/g, ' ')})`);
  check(await page.$('section[data-box="xinglong"] .balance.error') !== null, 'boxes: a SIM under ¥10 is marked');
  const ds = await text('section[data-box="dongshan"]');
  check(ds.includes('0/2') && ds.includes('短信猫无响应') && !ds.includes('99'), `boxes: dongshan's own health, not the forged one (${ds.replace(/\s+/g, ' ')})`);
  await page.screenshot({ path: path.join(shots, 'hub-boxes-1366.png'), fullPage: true });

  // Compose a notice for xinglong's Party secretaries in two villages, from a template.
  const sub = run('/usr/bin/mosquitto_sub', ['-h', '127.0.0.1', '-p', String(mqttPort), '--cafile', caFile, '-V', 'mqttv5', '-u', 'xinglong',
    '-P', cred.xinglong.password, '-i', 'xinglong', '-q', '1', '-t', 'cunxin/v1/box/xinglong/cmd', '-C', '1']);
  await new Promise((r) => setTimeout(r, 500));
  await go('compose', '#template');
  await page.click('#box-all');
  await page.check('input[data-box="xinglong"]');
  await page.check('#role-0');
  await page.fill('#villages', '兴隆村，红星村');
  await page.selectOption('#template', '0');
  check((await page.inputValue('#notice-text')).startsWith('{姓名}同志'), 'compose: the template shows its field as {姓名}');
  check((await text('#preview')).includes('张三同志'), 'compose: the preview fills {姓名}');
  await page.click('#compose-review');
  await page.waitForSelector('#compose-send');
  const xName = (await api('GET', '/county/boxes')).body.items.find((b) => b.id === 'xinglong').name || 'xinglong';
  check((await text('#compose-summary')).includes(xName), 'compose: the confirmation names the township');
  await page.screenshot({ path: path.join(shots, 'hub-compose-1366.png'), fullPage: true });
  await page.click('#compose-send');
  await until('the notice page', () => page.url().includes('#/notice/'), 10000);
  const noticeId = decodeURIComponent(page.url().split('#/notice/')[1]);
  const notice = await api('GET', `/county/notices/${encodeURIComponent(noticeId)}`);
  check(notice.status === 200 && notice.body.roles.includes('村支书') && notice.body.villages.join() === '兴隆村,红星村',
    `the hub stored the notice with its selection (${JSON.stringify(notice.body && [notice.body.roles, notice.body.villages])})`);
  check(notice.body.boxes.length === 1 && notice.body.boxes[0].box === 'xinglong', 'only xinglong is addressed');
  await until('the command at xinglong', () => sub.exitCode !== null, 15000);
  const cmd = JSON.parse(sub.output().trim().split('\n').pop());
  check(cmd.type === 'notice' && cmd.text.includes('{name}') && cmd.roles.includes('村支书') && cmd.villages.includes('红星村'),
    `the notice reached xinglong's command topic (${sub.output().trim().slice(0, 160)})`);

  // The box reports progress: the notice page shows it per township.
  const nid = cmd.notice_id || noticeId;
  check(event('xinglong', 'progress', { notice_id: nid, recipients: 40, queued: 5, sent: 10, delivered: 20, failed: 5 }), 'xinglong reports progress');
  await until('progress at the hub', async () => (await api('GET', `/county/notices/${encodeURIComponent(noticeId)}`)).body.boxes[0].recipients === 40, 10000);
  await go(`notice/${encodeURIComponent(noticeId)}`, 'li.box-progress[data-box="xinglong"]');
  const row = await text('li.box-progress[data-box="xinglong"]');
  check(row.includes('35/40') && row.includes('失败'), `notice: progress per township (${row.replace(/\s+/g, ' ')})`);
  check((await text('#notice-total')).includes('35/40'), 'notice: the total');
  check((await text('#notice-text')).startsWith('{姓名}同志'), 'notice: the Chinese panel shows the field as {姓名}');
  await page.screenshot({ path: path.join(shots, 'hub-notice-1366.png'), fullPage: true });

  // Replies: one with a number, one anonymous (the box sends none; the page shows none), one hostile.
  check(event('xinglong', 'reply', { notice_id: nid, village: '兴隆村', category: '02', text: '村口路灯坏了', number: '+8613800000001' }), 'a reply');
  check(event('dongshan', 'reply', { notice_id: null, category: '08', anonymous: true, text: '匿名反映的问题' }), 'an anonymous reply');
  check(event('xinglong', 'reply', { notice_id: nid, village: '红星村', category: '03', text: '<img src=x onerror="document.title=\'pwned\'">路面塌陷' }), 'a hostile reply');
  await until('three replies at the hub', async () => ((await api('GET', '/county/replies')).body.items || []).length === 3, 10000);
  await go('replies', '#replies li');
  const list = await text('#replies');
  check(list.includes('村口路灯坏了') && list.includes('+8613800000001'), 'replies: a reply with its number');
  const anon = await page.$$eval('#replies li', (lis) => lis.map((l) => l.textContent).filter((x) => x.includes('匿名反映的问题')));
  check(anon.length === 1 && !/\+?86\d{11}|1\d{10}/.test(anon[0]), `replies: the anonymous reply shows no number (${anon[0]})`);
  check(await page.$('#replies img') === null && list.includes('<img src=x'), 'replies: hostile text stays text');
  check(!(await page.isVisible('#replies-more')), 'replies: no "more" button when the list is complete');
  check(await page.title() !== 'pwned', 'replies: no script ran');
  const sum = await api('GET', '/county/summary');
  const cats = await page.$$eval('#sum-categories tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  check(cats.length === (sum.body.by_category || []).length && cats.some(([l, n]) => l === '意见建议' && n === '1'),
    `replies: categories summarised as the API says (${JSON.stringify(cats)})`);
  check((await text('#sum-boxes tfoot')).includes('3'), 'replies: 3 replies over all townships');
  await page.selectOption('#filter-box', 'xinglong');
  await until('the filtered list', async () => page.url().includes('box=xinglong') && (await page.$$('#replies li')).length === 2, 10000);
  check(true, 'replies: filter by township');
  await page.screenshot({ path: path.join(shots, 'hub-replies-1366.png'), fullPage: true });

  // dongshan drops off: the overview lists it as offline.
  check(mqtt('dongshan', 'cunxin/v1/box/dongshan/status', 'offline', true), 'dongshan goes offline');
  await until('dongshan offline at the hub', async () => (await api('GET', '/county/boxes')).body.items.some((b) => b.id === 'dongshan' && !b.online), 10000);
  await go('dashboard', '#dash-offline');
  check((await text('#dash-online')).includes('1/2') && (await text('#dash-offline')).length > 0, 'overview: one township offline');

  // Every page at phone width: nothing wider than the screen, the navigation folds, no English.
  const ALLOW = new Set(['SIM', 'ID', 'EN', 'SMS']);
  const data = new Set();
  for (const r of (await api('GET', '/county/boxes')).body.items) for (const w of `${r.id} ${r.name} ${r.last_error || ''}`.match(/[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*/g) || []) data.add(w);
  for (const r of (await api('GET', '/county/replies')).body.items) for (const w of `${r.text}`.match(/[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*/g) || []) data.add(w);
  data.add(ADMIN.username);
  await page.setViewportSize({ width: 390, height: 844 });
  for (const [route, sel] of [['dashboard', '#dash-online'], ['compose', '#template'], ['notices', '#notices'],
    [`notice/${encodeURIComponent(noticeId)}`, '#notice-boxes'], ['replies', '#replies'], ['boxes', '#boxes']]) {
    await go(route, sel);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    check(width <= 390, `390 px: ${route.split('/')[0]} fits (${width} px)`);
    const words = [...new Set((await page.evaluate(() => document.body.innerText)).match(/[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*/g) || [])]
      .filter((w) => !ALLOW.has(w) && !data.has(w) && !/^\d/.test(w));
    check(words.length === 0, `390 px: ${route.split('/')[0]} has no English${words.length ? ' — ' + words.join(', ') : ''}`);
    await page.screenshot({ path: path.join(shots, `hub-${route.split('/')[0]}-390.png`), fullPage: true });
  }
  check(await page.isVisible('#menu-toggle') && !(await page.isVisible('#nav-boxes')), '390 px: the navigation folds behind its button');
  await page.click('#menu-toggle');
  check(await page.isVisible('#nav-boxes'), '390 px: the button opens the navigation');

  // Cancel from the notice page (after the confirmation dialog): the box gets a cancel command.
  const sub2 = run('/usr/bin/mosquitto_sub', ['-h', '127.0.0.1', '-p', String(mqttPort), '--cafile', caFile, '-V', 'mqttv5', '-u', 'xinglong',
    '-P', cred.xinglong.password, '-i', 'xinglong', '-q', '1', '-t', 'cunxin/v1/box/xinglong/cmd', '-C', '1']);
  await new Promise((r) => setTimeout(r, 500));
  await page.setViewportSize({ width: 1366, height: 900 });
  await go(`notice/${encodeURIComponent(noticeId)}`, '#notice-cancel');
  page.once('dialog', (d) => d.accept());
  await page.click('#notice-cancel');
  await until('the notice cancelled at the hub', async () => (await api('GET', `/county/notices/${encodeURIComponent(noticeId)}`)).body.cancelled_at, 10000);
  await until('the cancel command at xinglong', () => sub2.exitCode !== null, 15000);
  const cancel = JSON.parse(sub2.output().trim().split('\n').pop());
  check(cancel.type === 'cancel' && cancel.notice_id === nid, `cancel: xinglong got a cancel command (${sub2.output().trim().slice(0, 120)})`);
  await go(`notice/${encodeURIComponent(noticeId)}`, '#notice-boxes');
  check(await page.$('#notice-cancel') === null && (await page.textContent('main')).includes('已撤回'), 'cancel: the page says 已撤回 and offers no second cancel');

  // A viewer reads everything but composes nothing: no entry in the navigation, the page refuses.
  const viewer = { username: 'kanban', password: 'viewer password 1' };
  check((await api('POST', '/users', { ...viewer, role: 'viewer' })).status === 201, 'a viewer account is added');
  const vctx = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
  const vpage = await vctx.newPage();
  vpage.on('pageerror', (e) => errors.push(e.message));
  await vpage.goto(`${base}/#/login`);
  await vpage.waitForSelector('#login-user', { timeout: 15000 });
  await vpage.fill('#login-user', viewer.username);
  await vpage.fill('#login-pass', viewer.password);
  await vpage.click('#login-submit');
  await vpage.waitForSelector('#nav-boxes', { state: 'attached', timeout: 15000 });
  check(await vpage.$('#nav-compose') === null, 'viewer: no 下发通知 in the navigation');
  await vpage.goto(`${base}/#/compose`);
  await vpage.reload();
  await vpage.waitForSelector('#denied', { timeout: 15000 });
  check(await vpage.$('#compose-review') === null, 'viewer: the compose form is not shown');
  await vpage.goto(`${base}/#/notice/${encodeURIComponent(noticeId)}`);
  await vpage.reload();
  await vpage.waitForSelector('#notice-boxes', { state: 'attached', timeout: 15000 });
  check(await vpage.$('#notice-cancel') === null, 'viewer: no cancel button on a notice');
  await vctx.close();

  check(errors.length === 0, `no script errors${errors.length ? ': ' + errors.join('; ') : ''}`);
  check(external.length === 0, `nothing from the internet${external.length ? ': ' + external.join(', ') : ''}`);
} catch (e) {
  console.log(`FAIL ${e.stack || e}`);
  check(false, 'the test ran to its end');
  for (const c of children) console.log(c.spawnargs[0], c.output().slice(-2000));
}
await stop(summary());
