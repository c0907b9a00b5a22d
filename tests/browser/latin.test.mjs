// SPDX-License-Identifier: Apache-2.0
// No English in the Chinese panel: with `cunxin demo`'s data, every route of web/js/main.js is
// opened in the zh-CN panel (phone and desktop width) and its visible text
// (document.body.innerText) is read; a word in Latin letters fails the test unless it is on a
// short allowlist (SIM, ICCID, USSD, …) or is data the page shows as it was entered (SMS text,
// names, user names, modem models: the free-text fields of the API answers the page loaded).
//   node latin.test.mjs <path to cunxin> <screenshot dir>

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { reporter, start, setupAdmin, call, until, routesOf, go } from './demo.mjs';

const bin = process.argv[2];
const shots = process.argv[3] || path.join(os.tmpdir(), 'cunxin-screenshots');
if (!bin) { console.error('usage: node latin.test.mjs <cunxin> <screenshot dir>'); process.exit(2); }
fs.mkdirSync(shots, { recursive: true });
const { check, summary, failures } = reporter('latin');

// Terms an office reads as they are (abbreviations on SIM cards, phones and the law's texts).
const ALLOW = new Set(['SIM', 'ICCID', 'IMEI', 'IMSI', 'CSV', 'USSD', 'PIN', 'PUK', 'API', 'ID', 'URL', 'EN', 'SMS',
  'HTTP', 'HTTPS', 'LTE', '2G', '3G', '4G', '5G', 'GSM', 'dBm', 'KB', 'MB', 'PDF', 'IP']);
// API fields whose text the panel shows as entered, not as its own words.
const DATA_FIELDS = new Set(['text', 'name', 'username', 'actor', 'model', 'manufacturer', 'village', 'tags', 'note', 'notes',
  'target', 'port', 'id', 'iccid', 'imei', 'imsi', 'own_number', 'template', 'template_text', 'office_name', 'address',
  'mobile', 'peer', 'reply', 'role', 'contact_name', 'label_en', 'anniversary_template', 'created_by', 'assigned_to', 'actors',
  'samples', 'mem']);
const WORD = /[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*/g;

function collect(value, key, out, inData) {
  const data = inData || DATA_FIELDS.has(key);
  if (typeof value === 'string') { if (data) for (const w of value.match(WORD) || []) out.add(w); return; }
  if (Array.isArray(value)) { for (const v of value) collect(v, key, out, data); return; }
  if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) collect(v, k, out, data);
}

const env = await start(bin, { limitMs: 200000 });
try {
  const mainJs = fs.readFileSync(path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../web/js/main.js'), 'utf8');
  const routes = routesOf(mainJs);
  check(routes.includes('dashboard') && routes.includes('reports') && routes.length >= 10, `routes read from main.js: ${routes.join(' ')}`);

  const context = await env.browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  const dataWords = new Set();
  const me = new Set();  // words of the signed-in user (filled after setup)
  page.on('response', async (r) => {
    if (!r.url().includes('/api/v1/') || !(r.headers()['content-type'] || '').startsWith('application/json')) return;
    try { collect(await r.json(), '', dataWords, false); } catch (_) { /* not JSON */ }
  });
  const offending = new Map();  // word -> routes
  async function read(p, label) {
    await p.waitForTimeout(400);
    const text = await p.evaluate(() => document.body.innerText);
    const words = [...new Set(text.match(WORD) || [])].filter((w) => !ALLOW.has(w) && !dataWords.has(w) && !me.has(w));
    for (const w of words) offending.set(w, [...(offending.get(w) || []), label]);
    check(words.length === 0, `${label}: no English outside the allowlist${words.length ? ' — ' + words.join(', ') : ''}`);
  }

  // Before any account exists: the setup page.
  await page.goto(env.base + '/');
  await page.waitForSelector('#setup-code', { timeout: 15000 });
  await read(page, 'setup');
  await setupAdmin(page, env);
  // The signed-in user's own name stands in the header on every page: data, not wording.
  const who = (await call(page, env, 'GET', '/auth/me')).body;
  for (const k of ['name', 'username']) if (typeof who[k] === 'string') for (const w of who[k].match(WORD) || []) me.add(w);

  // Demo data: a broadcast (campaign page), replies (inbox, thread), a viewer (users table).
  const groups = (await call(page, env, 'GET', '/groups')).body.items;
  const camp = await call(page, env, 'POST', '/campaigns', { name: '周五例会通知', template: '{name}您好，周五上午九点在镇政府开会。', targets: { group_ids: [groups[0].id] }, start_now: true });
  check(camp.status === 201, `a demo broadcast is created (${camp.status})`);
  await call(page, env, 'POST', '/users', { username: '李会计', password: 'viewer password 1', role: 'viewer' });
  await until('replies in the inbox', async () => (await call(page, env, 'GET', '/messages?direction=in&limit=5')).body.items.length >= 3, 60000, 500);
  const reply = (await call(page, env, 'GET', '/messages?direction=in&limit=1')).body.items[0];

  const arg = { thread: reply.peer, campaign: String(camp.body.id) };
  for (const width of [1366, 390]) {
    await page.setViewportSize({ width, height: width > 400 ? 900 : 844 });
    for (const r of routes) {
      if (r === 'setup' || r === 'login') continue;
      const hash = arg[r] ? `#/${r}/${encodeURIComponent(arg[r])}` : `#/${r}`;
      dataWords.clear();  // only what this page loaded counts as data
      await go(page, env, hash, '#main .page, #main .card');
      await read(page, `${hash} @${width}`);
      if (width === 1366) await page.screenshot({ path: path.join(shots, `latin-${r}.png`), fullPage: true });
    }
  }
  // Signed out: the login page.
  const anon = await env.browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
  const p2 = await anon.newPage();
  await p2.goto(env.base + '/#/login');
  await p2.waitForSelector('#login-user', { timeout: 15000 });
  await read(p2, '#/login');
  if (offending.size) console.log('English words by route:\n' + [...offending].map(([w, rs]) => `  ${w}: ${[...new Set(rs)].join(' ')}`).join('\n'));
} catch (e) {
  failures.push(String(e && e.stack || e));
  console.log('FAIL ' + e);
  console.log('--- demo output (tail) ---\n' + env.output().split('\n').slice(-30).join('\n'));
}
await env.stop(summary());
