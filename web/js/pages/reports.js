// SPDX-License-Identifier: Apache-2.0
// Reports for a period (this week, this month, or chosen days in office time): replies per
// category × village, campaign response rates, cost per SIM, a chart, CSV files in Chinese,
// and a print view that gives a clean A4 page (browser print, @media print in app.css).
import { api } from '../api.js';
import { h, svg } from '../h.js';
import { t, lang } from '../i18n.js';
import { card, empty, operatorName } from '../ui.js';

// The query string the API takes for the period in the page's address.
function periodQuery(q) {
  const p = new URLSearchParams();
  if (q.get('start') || q.get('end')) {
    p.set('start', q.get('start') || '');
    p.set('end', q.get('end') || '');
  } else {
    p.set('period', q.get('period') === 'month' ? 'month' : 'week');
  }
  return p.toString();
}

// A time as the office's calendar date/time (the report's utc_offset_minutes), whatever the
// browser's own time zone.
function officeTime(d, sec) {
  return new Date((sec + d.utc_offset_minutes * 60) * 1000).toISOString().slice(0, 16).replace('T', ' ');
}

function pct(part, whole) {
  if (!whole) return '—';
  return `${((100 * part) / whole).toFixed(1)}%`;
}

function catLabel(d, code) {
  if (!code) return t('inbox.uncategorised');
  const m = d.categories.find((c) => c.code === code);
  if (!m) return code;
  const label = lang === 'en' ? (m.label_en || m.label_zh) : m.label_zh;
  return label ? `${code} ${label}` : code;
}

function picker(route) {
  const q = route.query;
  const custom = !!(q.get('start') || q.get('end'));
  const kind = custom ? 'custom' : (q.get('period') === 'month' ? 'month' : 'week');
  const start = h('input', { type: 'date', id: 'rep-start', value: q.get('start') || '' });
  const end = h('input', { type: 'date', id: 'rep-end', value: q.get('end') || '' });
  const range = h('form', { class: 'range', id: 'rep-range', hidden: kind !== 'custom', onsubmit: (e) => {
    e.preventDefault();
    if (!start.value || !end.value) return;
    location.hash = `#/reports?start=${start.value}&end=${end.value}`;
  } }, [h('label', null, [t('report.from'), ' ', start]), h('label', null, [t('report.to'), ' ', end]),
    h('button', { type: 'submit', class: 'primary', id: 'rep-apply' }, t('report.apply'))]);
  const btn = (k) => h('button', { type: 'button', id: `rep-${k}`, class: kind === k ? 'on' : null, onclick: () => {
    if (k === 'custom') { range.hidden = false; start.focus(); return; }
    location.hash = `#/reports?period=${k}`;
  } }, t(`report.period.${k}`));
  return h('div', { class: 'period no-print' }, [h('div', { class: 'seg', role: 'group' }, ['week', 'month', 'custom'].map(btn)), range]);
}

// Replies per category as horizontal bars (plain SVG).
function categoryChart(d) {
  const rows = d.per_category;
  const W = 360; const rowH = 22; const left = 120; const H = rows.length * rowH + 8;
  const max = Math.max(1, ...rows.map((r) => r.count));
  const parts = [];
  rows.forEach((r, i) => {
    const y = 4 + i * rowH;
    const w = ((W - left - 40) * r.count) / max;
    parts.push(svg('text', { x: left - 6, y: y + 14, class: 'lbl', 'text-anchor': 'end' }, catLabel(d, r.key)));
    parts.push(svg('rect', { x: left, y: y + 3, width: Math.max(1, w), height: rowH - 8, class: 'in' }));
    parts.push(svg('text', { x: left + w + 4, y: y + 14, class: 'val' }, String(r.count)));
  });
  return h('figure', { class: 'chart bars', id: 'rep-chart' }, [
    svg('svg', { viewBox: `0 0 ${W} ${Math.max(H, 30)}`, role: 'img', 'aria-label': t('report.chart') }, parts),
  ]);
}

// Rows: villages; columns: categories; totals on both sides.
function crossTable(d) {
  const cats = [...new Set(d.per_category_village.map((r) => r.category))].sort();
  const rowKey = (r) => (r.anonymous ? '\u0000anon' : r.village);
  const villages = [...new Set(d.per_category_village.map(rowKey))].sort((a, b) => {
    const rank = (v) => (v === '\u0000anon' ? 2 : v === '' ? 1 : 0);
    return rank(a) - rank(b) || a.localeCompare(b, 'zh-CN');
  });
  const count = (v, c) => d.per_category_village.filter((r) => rowKey(r) === v && r.category === c).reduce((a, r) => a + r.count, 0);
  const vname = (v) => (v === '\u0000anon' ? t('report.anonymous') : v === '' ? t('report.unknown_village') : v);
  const total = d.per_category_village.reduce((a, r) => a + r.count, 0);
  return h('div', { class: 'table-wrap' }, h('table', { class: 'num', id: 'rep-cv' }, [
    h('thead', null, h('tr', null, [h('th', null, t('contacts.village')), ...cats.map((c) => h('th', { class: 'n' }, catLabel(d, c))),
      h('th', { class: 'n' }, t('report.total'))])),
    h('tbody', null, villages.map((v) => h('tr', null, [h('td', null, vname(v)),
      ...cats.map((c) => h('td', { class: 'n', dataset: { village: vname(v), category: c } }, String(count(v, c)))),
      h('td', { class: 'n' }, String(cats.reduce((a, c) => a + count(v, c), 0)))]))),
    h('tfoot', null, h('tr', null, [h('td', null, t('report.total')),
      ...cats.map((c) => h('td', { class: 'n' }, String(villages.reduce((a, v) => a + count(v, c), 0)))),
      h('td', { class: 'n', id: 'rep-cv-total' }, String(total))])),
  ]));
}

function campaignsTable(d) {
  if (!d.campaigns.length) return empty(t('report.no_campaigns'));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'num', id: 'rep-campaigns' }, [
    h('thead', null, h('tr', null, [t('report.campaign'), t('report.created'), t('report.recipients'), t('report.sent'),
      t('report.delivered'), t('report.replied'), t('campaign.response_rate')].map((x, i) => h('th', { class: i > 1 ? 'n' : null }, x)))),
    h('tbody', null, d.campaigns.map((c) => h('tr', { dataset: { id: c.id } }, [
      h('td', null, h('a', { href: `#/campaign/${c.id}` }, c.name)), h('td', null, officeTime(d, c.created_at).slice(0, 10)),
      h('td', { class: 'n' }, String(c.recipients)), h('td', { class: 'n' }, String(c.sent)), h('td', { class: 'n' }, String(c.delivered)),
      h('td', { class: 'n' }, String(c.replied)), h('td', { class: 'n rate' }, pct(c.replied, c.sent))]))),
  ]));
}

function costTable(d) {
  if (!d.cost_per_sim.length) return empty(t('report.no_cost'));
  const segs = d.cost_per_sim.reduce((a, c) => a + c.segments, 0);
  const fen = d.cost_per_sim.reduce((a, c) => a + c.cost_fen, 0);
  return h('div', { class: 'table-wrap' }, h('table', { class: 'num', id: 'rep-cost' }, [
    h('thead', null, h('tr', null, [t('report.carrier'), t('report.sim'), t('report.segments'), t('report.price'), t('report.cost')]
      .map((x, i) => h('th', { class: i > 1 ? 'n' : null }, x)))),
    h('tbody', null, d.cost_per_sim.map((c) => h('tr', null, [
      h('td', null, operatorName(c.operator, c.carrier) || '—'), h('td', { title: c.iccid }, `…${c.iccid.slice(-6)}`),
      h('td', { class: 'n' }, String(c.segments)), h('td', { class: 'n' }, `¥${(c.price_fen_per_segment / 100).toFixed(2)}`),
      h('td', { class: 'n' }, `¥${c.cost_yuan}`)]))),
    h('tfoot', null, h('tr', null, [h('td', null, t('report.total')), h('td', null, ''), h('td', { class: 'n', id: 'rep-cost-segments' }, String(segs)),
      h('td', null, ''), h('td', { class: 'n', id: 'rep-cost-total' }, `¥${(fen / 100).toFixed(2)}`)])),
  ]));
}

const TABLES = ['category_village', 'category', 'village', 'daily', 'campaigns', 'cost'];

export default {
  title: 'nav.reports',
  async load(route) {
    const query = periodQuery(route.query);
    const [d, s] = await Promise.all([api('GET', `/reports?${query}`), api('GET', '/settings').catch(() => null)]);
    return { d, query, office: s && s.settings ? s.settings.office_name : '' };
  },
  render({ d, query, office }, route) {
    const received = d.per_day.reduce((a, x) => a + x.in, 0);
    const sent = d.per_day.reduce((a, x) => a + x.out, 0);
    const fen = d.cost_per_sim.reduce((a, c) => a + c.cost_fen, 0);
    const span = d.period.start === d.period.end ? d.period.start : t('report.span', { start: d.period.start, end: d.period.end });
    const total = (id, label, value) => h('li', null, [h('span', { class: 'muted' }, label), h('strong', { id }, value)]);
    return h('div', { class: 'page reports', dataset: { from: d.from, to: d.to } }, [
      h('header', { class: 'print-head' }, [h('h1', null, `${office || t('app.name')} · ${t('report.title')}`),
        h('p', null, `${t('report.period')}: ${span} · ${t('report.printed')}: ${officeTime(d, Math.floor(Date.now() / 1000))}`)]),
      card(t('report.title'), [picker(route),
        h('p', { class: 'muted', id: 'rep-span' }, `${t('report.period')}: ${span}`),
        h('ul', { class: 'totals' }, [
          total('rep-total-in', t('report.received'), String(received)),
          total('rep-total-out', t('report.sent_sms'), String(sent)),
          total('rep-total-campaigns', t('report.campaign_count'), String(d.campaigns.length)),
          total('rep-total-cost', t('report.cost'), `¥${(fen / 100).toFixed(2)}`)]),
        h('p', { class: 'actions no-print' }, [h('button', { type: 'button', id: 'rep-print', onclick: () => window.print() }, t('report.print'))])]),
      card(t('report.by_category'), d.per_category.length ? categoryChart(d) : empty(t('report.no_replies'))),
      card(t('report.by_category_village'), d.per_category_village.length ? crossTable(d) : empty(t('report.no_replies'))),
      card(t('report.campaign_rates'), campaignsTable(d)),
      card(t('report.cost_per_sim'), costTable(d)),
      card(t('report.csv'), h('ul', { class: 'plain csv' }, TABLES.map((x) => h('li', null,
        h('a', { href: `/api/v1/reports?format=csv&table=${x}&${query}`, download: true, id: `rep-csv-${x}` }, t(`report.csv.${x}`))))), { class: 'card no-print' }),
    ]);
  },
};
