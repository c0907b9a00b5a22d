// SPDX-License-Identifier: Apache-2.0
// A township clerk's day in the zh-CN panel (issue 11, items 8-11), against `cunxin demo` in
// Debian's headless Chromium at 1366 px and 390 px:
//  8  the report page: period picker, replies per category × village, campaign response
//     rates, cost per SIM and a chart, whose numbers match GET /api/v1/reports; CSV files with
//     Chinese headers, office-time dates and percentages; a print view without navigation
//     that fits A4.
//  9  carriers in Chinese (中国移动 …), no "UCS2 70/67", audit actions in words, "短信设备".
// 10  phone: header at most 64 px high, no page wider than the screen, today's replies on the
//     first screen of the dashboard, the reply-menu editor within the card; desktop: the
//     settings form's first row aligned.
// 11  the auto-acknowledgement switch shows the default in force; a viewer gets no send form;
//     a USSD answer survives a live refresh; the backup is named cunxin-YYYYMMDD-HHMM.db in
//     office time; the audit log has one line per campaign, pages of 50 and filters.
//   node clerk.test.mjs <path to cunxin> <screenshot dir>

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { reporter, start, setupAdmin, login, call, until, routesOf, go as goto, mark, settled } from './demo.mjs';

const bin = process.argv[2];
const shots = process.argv[3] || path.join(os.tmpdir(), 'cunxin-screenshots');
if (!bin) { console.error('usage: node clerk.test.mjs <cunxin> <screenshot dir>'); process.exit(2); }
fs.mkdirSync(shots, { recursive: true });
const { check, summary, failures } = reporter('clerk');
const OFFSET_MIN = 480;  // cunxin demo runs with utc_offset_minutes = 480
const office = (sec) => new Date((sec + OFFSET_MIN * 60) * 1000).toISOString();  // "YYYY-MM-DDTHH:MM…" in office time
const go = (p, hash, sel) => goto(p, env, hash, sel);
const shot = (p, name, full = true) => p.screenshot({ path: path.join(shots, `clerk-${name}.png`), fullPage: full });

const env = await start(bin, { limitMs: 280000 });
try {
  const desk = await env.browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
  const page = await desk.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await setupAdmin(page, env);

  // ---- 11: the auto-acknowledgement switch shows what is in force (unset = on) ----------------
  const before = (await call(page, env, 'GET', '/settings')).body.settings.auto_ack_enabled;
  await go(page, '#/settings', '#s-auto-ack');
  check(before === null && await page.isChecked('#s-auto-ack'), `unset auto-acknowledgement (${before}) shows as on, as the inbox behaves`);
  await call(page, env, 'PUT', '/settings', { auto_ack_enabled: false });
  await go(page, '#/dashboard', '.page.dashboard');
  await go(page, '#/settings', '#s-auto-ack');
  check(!(await page.isChecked('#s-auto-ack')), 'switched off, it shows off');
  await call(page, env, 'PUT', '/settings', { auto_ack_enabled: true });

  // ---- 10 (desktop): the settings form's first row is aligned ----------------------------------
  await go(page, '#/dashboard', '.page.dashboard');
  await go(page, '#/settings', '#s-office');
  const tops = await page.evaluate(() => [...document.querySelectorAll('.grid-form')[0].children].slice(0, 3)
    .map((el) => Math.round(el.querySelector('input, select, textarea').getBoundingClientRect().top)));
  check(Math.max(...tops) - Math.min(...tops) <= 2, `desktop settings: the first row's fields line up (tops ${tops.join(', ')})`);
  await shot(page, '1366-settings');

  // ---- demo activity: two broadcasts, replies, a viewer, 55 settings changes -----------------
  // Small broadcasts (the demo SIMs send 10 a minute each): the smallest group and one village.
  const groups = (await call(page, env, 'GET', '/groups')).body.items.sort((a, b) => a.members - b.members);
  const c1 = await call(page, env, 'POST', '/campaigns', { name: '周五例会通知', template: '{姓名}您好，周五上午九点在镇政府开会，收到请回复。', targets: { group_ids: [groups[0].id] }, start_now: true });
  const c2 = await call(page, env, 'POST', '/campaigns', { name: '防汛值班提醒', template: '{name}同志：今晚请按排班到岗。', targets: { villages: ['石桥村'] }, start_now: true });
  check(c1.status === 201 && c2.status === 201, 'two broadcasts created');
  const viewer = { username: '李会计', password: 'viewer password 1' };
  check((await call(page, env, 'POST', '/users', { ...viewer, role: 'viewer' })).status === 201, 'a viewer account is added');
  for (let i = 0; i < 55; i++) await call(page, env, 'PUT', '/settings', { office_name: `青山镇人民政府${i % 2 ? '' : ' '}`.trim() });
  await until('both broadcasts to finish', async () => {
    const a = (await call(page, env, 'GET', `/campaigns/${c1.body.id}`)).body;
    const b = (await call(page, env, 'GET', `/campaigns/${c2.body.id}`)).body;
    return a.status === 'done' && b.status === 'done';
  }, 150000, 1000);
  await until('replies to arrive', async () => (await call(page, env, 'GET', '/messages?direction=in&limit=10')).body.items.length >= 6, 60000, 500);

  // ---- 8: the report page matches the API ------------------------------------------------------
  // The page's numbers against the API answer it was drawn from (replies keep arriving).
  const reportOf = (p) => p.waitForResponse((r) => r.url().includes('/api/v1/reports?'), { timeout: 15000 }).then((r) => r.json());
  let shown = reportOf(page);
  await go(page, '#/reports?period=month', '#rep-total-in');
  const api = await shown;
  check(api.period.kind === 'month' && api.period.start.endsWith('-01'), `this month: ${api.period.start} – ${api.period.end}`);
  const num = async (sel) => Number((await page.textContent(sel)).replace(/[^\d.]/g, ''));
  const sumIn = api.per_day.reduce((a, d) => a + d.in, 0);
  const sumOut = api.per_day.reduce((a, d) => a + d.out, 0);
  check(await num('#rep-total-in') === sumIn && sumIn > 0, `received on the page = API (${sumIn})`);
  check(await num('#rep-total-out') === sumOut && sumOut > 0, `sent on the page = API (${sumOut})`);
  const cvTotal = api.per_category_village.reduce((a, r) => a + r.count, 0);
  check(await num('#rep-cv-total') === cvTotal && cvTotal === api.per_category.reduce((a, r) => a + r.count, 0),
    `category × village total = API (${cvTotal})`);
  const cells = await page.$$eval('#rep-cv td[data-category]', (tds) => tds.map((td) => ({ v: td.dataset.village, c: td.dataset.category, n: Number(td.textContent) })));
  const cellOk = api.per_category_village.filter((r) => !r.anonymous && r.village).every((r) =>
    cells.some((x) => x.v === r.village && x.c === r.category && x.n === r.count));
  check(cellOk && cells.length > 0, `every village × category cell matches the API (${cells.length} cells)`);
  const villages = new Set(cells.map((x) => x.v));
  check(villages.size >= 2, `replies shown per village (${[...villages].join('、')})`);
  const fen = api.cost_per_sim.reduce((a, c) => a + c.cost_fen, 0);
  check((await page.textContent('#rep-cost-total')).includes((fen / 100).toFixed(2)) && await num('#rep-cost-segments') === api.cost_per_sim.reduce((a, c) => a + c.segments, 0),
    `cost per SIM total = API (¥${(fen / 100).toFixed(2)})`);
  const carriers = await page.$$eval('#rep-cost tbody td:first-child', (tds) => tds.map((td) => td.textContent));
  check(carriers.length > 0 && carriers.every((x) => /^中国(移动|联通|电信|广电)$/.test(x)), `carriers in Chinese on the report (${carriers.join('、')})`);
  const rates = await page.$$eval('#rep-campaigns tbody tr', (trs) => trs.map((tr) => ({ id: Number(tr.dataset.id), rate: tr.querySelector('.rate').textContent })));
  const rateOk = api.campaigns.length === 2 && api.campaigns.every((c) => {
    const r = rates.find((x) => x.id === c.id);
    return r && r.rate === (c.sent ? `${((100 * c.replied) / c.sent).toFixed(1)}%` : '—');
  });
  check(rateOk, `response rates as percentages = API (${rates.map((r) => r.rate).join(', ')})`);
  const dates = await page.$$eval('#rep-campaigns tbody tr td:nth-child(2)', (tds) => tds.map((td) => td.textContent));
  check(dates.length === api.campaigns.length && api.campaigns.every((c, i) => dates[i] === office(c.created_at).slice(0, 10)),
    `campaign dates are office dates (${dates.join(', ')})`);
  check(await page.locator('#rep-chart svg rect').count() === api.per_category.length, 'a bar per category in the chart');
  await shot(page, '1366-reports');

  // Period picker: this week and a custom range give the API's numbers for those periods.
  await mark(page);
  shown = reportOf(page);
  await page.click('#rep-week');
  await settled(page, '#rep-total-in');
  const week = await shown;
  const monday = new Date(`${week.period.start}T00:00:00Z`).getUTCDay() === 1;
  check(week.period.kind === 'week' && monday && await num('#rep-total-in') === week.per_day.reduce((a, d) => a + d.in, 0) &&
    (await page.textContent('#rep-span')).includes(week.period.start), `this week from Monday: ${week.period.start} – ${week.period.end}`);
  const today = office(Math.floor(Date.now() / 1000)).slice(0, 10);
  await page.click('#rep-custom');
  await page.fill('#rep-start', today);
  await page.fill('#rep-end', today);
  await mark(page);
  shown = reportOf(page);
  await page.click('#rep-apply');
  await settled(page, '#rep-total-in');
  const day = await shown;
  const dayIn = day.per_day.reduce((a, d) => a + d.in, 0);
  check(day.period.start === today && day.period.end === today && day.per_day.length === 1 && await num('#rep-total-in') === dayIn && dayIn >= sumIn,
    `custom range ${today}: one office day, every reply of the month (all arrived today: ${dayIn})`);

  // CSV: Chinese headers, office time, percentages.
  const csv = async (table) => (await page.request.get(`${env.base}/api/v1/reports?format=csv&table=${table}&period=month`)).text();
  const camps = await csv('campaigns');
  const lines = camps.replace(/^\uFEFF/, '').trim().split(/\r?\n/);
  check(lines[0].startsWith('编号,名称,创建时间,接收人数') && lines[0].includes('回复率'), `campaign CSV header in Chinese (${lines[0]})`);
  const made = api.campaigns.find((c) => c.id === c1.body.id);
  const expectTime = office(made.created_at).slice(0, 16).replace('T', ' ');
  check(lines.some((l) => l.includes(expectTime)) && !/\d\dZ/.test(camps), `campaign times in office time (${expectTime}), no UTC "Z" times`);
  check(lines.slice(1).every((l) => /(\d+\.\d%|—)$/.test(l)) && !/0\.0{4,}/.test(camps), 'rates in the CSV as percentages');
  const cat = (await csv('category')).replace(/^\uFEFF/, '');
  check(cat.startsWith('类别,回复数') && /政策咨询|意见建议|反映情况|未分类/.test(cat), 'category CSV: Chinese header and category names');
  const cv = (await csv('category_village')).replace(/^\uFEFF/, '');
  check(cv.startsWith('类别,村,回复数') && /石桥村|柳树湾村|大王庄村|河西村|杏花村|青山村/.test(cv), 'category × village CSV');
  const cost = (await csv('cost')).replace(/^\uFEFF/, '');
  check(cost.startsWith('SIM 卡（ICCID）,运营商') && /中国(移动|联通|电信)/.test(cost) && !/CHINA|MOBILE|UNICOM|TELECOM/i.test(cost), 'cost CSV: carriers in Chinese');
  const daily = (await csv('daily')).replace(/^\uFEFF/, '');
  check(daily.startsWith('日期,收到,发出') && daily.includes(today), `daily CSV counts office days (${today})`);
  const bad = await page.request.get(`${env.base}/api/v1/reports?start=2026-02-30&end=2026-03-01`);
  check(bad.status() === 400, 'an impossible date is refused (400)');

  // Print view: no navigation, no buttons, and the page fits A4.
  await go(page, '#/reports?period=month', '#rep-total-in');
  await page.emulateMedia({ media: 'print' });
  const hidden = await page.evaluate(() => ['#top', '.period', '#rep-print', 'ul.csv'].map((s) => {
    const el = document.querySelector(s);
    return !el || getComputedStyle(el).display === 'none' || !el.offsetParent;
  }));
  check(hidden.every(Boolean), `print view hides the navigation, the picker and the buttons (${hidden})`);
  check(await page.isVisible('.print-head'), 'print view has a title with the period');
  await shot(page, 'print-reports');
  const pdf = await page.pdf({ format: 'A4', printBackground: false, preferCSSPageSize: true });
  const pdfText = pdf.toString('latin1');
  const pages = (pdfText.match(/\/Type\s*\/Page[^s]/g) || []).length;
  const box = /\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/.exec(pdfText);
  check(box && Math.abs(Number(box[1]) - 595) < 3 && Math.abs(Number(box[2]) - 842) < 3, `printed on A4 (${box && box.slice(1).join(' × ')} pt)`);
  check(pages >= 1 && pages <= 2, `the report prints on ${pages} A4 page(s)`);
  fs.writeFileSync(path.join(shots, 'clerk-report.pdf'), pdf);
  await page.emulateMedia({ media: 'screen' });

  // ---- 9: Chinese words for carriers, encodings and the devices ---------------------------------
  await go(page, '#/dashboard', '.modem');
  const dashText = await page.evaluate(() => document.body.innerText);
  check(/中国(移动|联通|电信)/.test(dashText) && !/CHINA|UNICOM|TELECOM|MOBILE/.test(dashText), 'dashboard: carriers in Chinese');
  check(!dashText.includes('猫') && (await page.textContent('#nav-modems')) === '短信设备', 'navigation says 短信设备, nowhere 猫池');
  await shot(page, '1366-dashboard');
  await go(page, '#/compose', '#camp-template');
  await page.fill('#camp-template', '各位同志：周五开会。');
  const counter = await page.textContent('#camp-counter');
  check(!/UCS2|GSM/.test(counter) && counter.includes('70'), `compose counter in Chinese (${counter.trim()})`);

  // ---- 11: the audit log: words, one line per campaign, pages, filters ----------------------------
  const all = (await call(page, env, 'GET', '/audit?action=campaign.create&limit=100')).body.items;
  check(all.length === 2, `campaign.create written once per campaign (${all.length} lines for 2 campaigns)`);
  await go(page, '#/audit', '.page.audit tbody tr');
  const rows = await page.locator('.page.audit tbody tr').count();
  const auditText = await page.textContent('.page.audit table');
  check(rows === 50, `the audit page shows 50 lines a page (${rows})`);
  check(!/\b[a-z]+\.[a-z_]+\b/.test(auditText) && auditText.includes('修改设置'), 'audit actions in words, no raw codes');
  await shot(page, '1366-audit');
  const firstPage = await page.$$eval('.page.audit tbody tr', (trs) => trs.map((tr) => Number(tr.dataset.id)));
  await mark(page);
  await page.click('#audit-older');
  await settled(page, '.page.audit tbody tr');
  const secondPage = await page.$$eval('.page.audit tbody tr', (trs) => trs.map((tr) => Number(tr.dataset.id)));
  check(secondPage.length > 0 && Math.max(...secondPage) < Math.min(...firstPage), `the next page holds older lines (${secondPage.length})`);
  await page.selectOption('#audit-action', 'campaign.');
  await mark(page);
  await page.click('#audit-apply');
  await settled(page, '.page.audit tbody tr');
  const kinds = await page.$$eval('.page.audit tbody tr', (trs) => trs.map((tr) => tr.dataset.action));
  check(kinds.length >= 2 && kinds.every((a) => a.startsWith('campaign.')) && kinds.filter((a) => a === 'campaign.create').length === 2,
    `filter by kind: campaign lines only, campaign.create twice for two campaigns (${kinds.join(' ')})`);
  await page.selectOption('#audit-action', '');
  const yesterday = new Date(Date.parse(today) - 86400000).toISOString().slice(0, 10);
  await page.fill('#audit-start', yesterday);
  await page.fill('#audit-end', yesterday);
  await mark(page);
  await page.click('#audit-apply');
  await settled(page, '.page.audit .empty, .page.audit tbody tr');
  check(await page.locator('.page.audit tbody tr').count() === 0, `filter by date: nothing on ${yesterday}`);
  const byDay = (await call(page, env, 'GET', `/audit?start=${today}&end=${today}&actor=admin&limit=500`)).body.items;
  check(byDay.length > 55 && byDay.every((a) => a.actor === 'admin'), `API filter by user and date: ${byDay.length} lines by admin today`);

  // ---- 11: backup file name ------------------------------------------------------------------------
  const t0 = Math.floor(Date.now() / 1000);
  const backup = await page.request.get(`${env.base}/api/v1/system/backup`);
  const disp = backup.headers()['content-disposition'] || '';
  const m = /filename="cunxin-(\d{8})-(\d{4})\.db"/.exec(disp);
  const stamp = office(t0).slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
  check(m && `${m[1]}-${m[2]}` >= stamp.slice(0, 13) && m[1] === stamp.slice(0, 8), `backup named cunxin-YYYYMMDD-HHMM.db in office time (${disp})`);

  // ---- 11: a USSD answer survives the live refresh ---------------------------------------------------
  await go(page, '#/modems', '.page.modems form.inline button');
  const modemsText = await page.evaluate(() => document.body.innerText);
  check(/中国(移动|联通|电信)/.test(modemsText) && !/CHINA|UNICOM|TELECOM/.test(modemsText), 'device page: carriers in Chinese');
  const ussd = page.locator('.page.modems .ussd').first();
  await page.locator('.page.modems form.inline button').first().click();
  await until('a USSD answer', async () => { const x = (await ussd.textContent()).trim(); return x && x !== '…'; }, 30000, 300);
  const answer = (await ussd.textContent()).trim();
  await page.evaluate(() => { document.querySelector('.page.modems .ussd').dataset.old = '1'; });
  await call(page, env, 'POST', '/messages', { to: ['+8613951001000'], text: '测试刷新' });  // a live event: the page reloads its data
  await until('the page to re-render', async () => page.evaluate(() => {
    const el = document.querySelector('.page.modems .ussd');
    return el && !el.dataset.old;
  }), 20000, 200);
  check((await page.locator('.page.modems .ussd').first().textContent()).trim() === answer, `the USSD answer stays after a live refresh (${answer.slice(0, 30)})`);

  // ---- 10: phone, 390 px ---------------------------------------------------------------------------
  const phone = await env.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true,
    locale: 'zh-CN', storageState: await desk.storageState() });
  const p2 = await phone.newPage();
  p2.on('pageerror', (e) => problems.push(`pageerror (phone): ${e.message}`));
  const mainJs = fs.readFileSync(path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../web/js/main.js'), 'utf8');
  const reply = (await call(page, env, 'GET', '/messages?direction=in&limit=1')).body.items[0];
  const arg = { thread: reply.peer, campaign: String(c1.body.id) };
  for (const r of routesOf(mainJs).filter((x) => x !== 'setup' && x !== 'login')) {
    const hash = arg[r] ? `#/${r}/${encodeURIComponent(arg[r])}` : `#/${r}`;
    await go(p2, hash, '#main .page, #main .card');
    await p2.waitForTimeout(300);
    const { header, width } = await p2.evaluate(() => ({ header: document.getElementById('top').getBoundingClientRect().height,
      width: document.documentElement.scrollWidth }));
    check(header <= 64, `390 px ${hash}: header ${Math.round(header)} px high (at most 64)`);
    check(width <= 390, `390 px ${hash}: no sideways scrolling (scrollWidth ${width})`);
    if (['dashboard', 'reports', 'settings', 'audit'].includes(r)) await shot(p2, `390-${r}`, r !== 'dashboard');
  }
  await go(p2, '#/dashboard', '#dash-replies');
  const rb = await p2.evaluate(() => document.getElementById('dash-replies').getBoundingClientRect().bottom);
  check(rb <= 844, `phone dashboard: today's replies end within the first screen (bottom at ${Math.round(rb)} of 844 px)`);
  await shot(p2, '390-dashboard-first-screen', false);
  await go(p2, '#/settings', '#menu-rows');
  const menu = await p2.evaluate(() => { const el = document.getElementById('menu-rows'); const card = el.closest('.card').getBoundingClientRect();
    return [...el.querySelectorAll('input, button')].every((x) => { const b = x.getBoundingClientRect(); return b.left >= card.left - 1 && b.right <= card.right + 1; }); });
  check(menu, 'phone settings: every field of the reply-menu editor inside its card');
  // The folded navigation opens and leads to a page.
  await p2.click('#menu-toggle');
  await p2.waitForSelector('#nav-reports', { state: 'visible', timeout: 5000 });
  await shot(p2, '390-menu-open', false);
  await mark(p2);
  await p2.click('#nav-reports');
  await settled(p2, '#rep-total-in');
  check(!(await p2.isVisible('#nav-inbox')), 'phone navigation opens from the menu button and folds after choosing');
  await phone.close();

  // ---- 11: a viewer never gets a send form --------------------------------------------------------
  const vctx = await env.browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
  const vp = await vctx.newPage();
  await login(vp, env, viewer);
  check(await vp.locator('#nav-compose').count() === 0, 'viewer: no 群发 in the navigation');
  await go(vp, '#/compose', '#denied');
  check(await vp.locator('#camp-template, #camp-send').count() === 0, 'viewer: #/compose explains instead of showing the form');
  await shot(vp, '390-viewer-compose', false);
  await go(vp, '#/campaigns', '.page');
  check(await vp.locator('.page a[href="#/compose"]').count() === 0, 'viewer: no 群发 button on the campaign list');
  await go(vp, `#/thread/${encodeURIComponent(reply.peer)}`, '.page');
  check(await vp.locator('.page textarea, .page button.primary').count() === 0, 'viewer: no reply form in a conversation');
  await go(vp, `#/campaign/${c1.body.id}`, '.page');
  check(await vp.locator('.page.campaign button').count() === 0, 'viewer: no campaign buttons');

  check(problems.length === 0, `no page error ${problems.join(' | ')}`);
} catch (e) {
  failures.push(String(e && e.stack || e));
  console.log('FAIL ' + e);
  console.log('--- demo output (tail) ---\n' + env.output().split('\n').slice(-30).join('\n'));
}
await env.stop(summary());
