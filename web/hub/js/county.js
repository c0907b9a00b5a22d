// SPDX-License-Identifier: Apache-2.0
// Shared by the hub's pages: the county API's lists, box names, roles, categories, counts.

import { api } from '../../js/api.js';
import { h } from '../../js/h.js';
import { t, lang } from '../../js/i18n.js';

// A list answer: a bare array or {items: [...]} (with next_cursor when paged).
export function items(r, ...keys) {
  if (Array.isArray(r)) return r;
  if (!r || typeof r !== 'object') return [];
  for (const k of ['items', ...keys]) if (Array.isArray(r[k])) return r[k];
  return [];
}

export async function loadBoxes(opts = {}) {
  return items(await api('GET', '/county/boxes', undefined, { background: opts.background }), 'boxes');
}

// A box's display name: its township name when the hub knows it, else its id.
export function boxName(b) { return (b && (b.name || b.id)) || ''; }
export function boxNames(boxes) {
  const m = new Map();
  for (const b of boxes) m.set(b.id, boxName(b));
  return (id) => m.get(id) || id || t('hub.unknown');
}

// Roles as the boxes' contacts carry them (values stay Chinese: they are data).
export const ROLES = ['村支书', '村主任', '村委委员', '党员'];
export function roleLabel(r) {
  const i = ROLES.indexOf(r);
  return i >= 0 ? t(`hub.role.${i}`) : r;
}

// A reply-menu category: the label sent by the box, else the usual labels of 01–03.
export function categoryLabel(code, label) {
  if (label) return label;
  if (code === null || code === undefined || code === '') return t('hub.cat.none');
  const k = `hub.cat.${code}`;
  return t(k) !== k ? t(k) : String(code);
}

// "3 分钟前" from unix seconds (now from the browser: good enough for "last seen").
export function ago(sec) {
  if (!sec) return t('hub.never');
  const d = Math.max(0, Math.round(Date.now() / 1000 - sec));
  if (d < 60) return t('hub.ago.seconds', { n: d });
  if (d < 3600) return t('hub.ago.minutes', { n: Math.round(d / 60) });
  if (d < 86400) return t('hub.ago.hours', { n: Math.round(d / 3600) });
  return t('hub.ago.days', { n: Math.round(d / 86400) });
}

// A progress object's numbers, whatever subset the hub sends.
export function counts(p) {
  const n = (x) => (Number.isFinite(Number(x)) ? Number(x) : 0);
  const c = { recipients: n(p.recipients), queued: n(p.queued), sent: n(p.sent), delivered: n(p.delivered), failed: n(p.failed) };
  c.done = c.sent + c.delivered + c.failed;
  c.percent = c.recipients > 0 ? Math.min(100, (100 * c.done) / c.recipients) : 0;
  return c;
}

// Sums of several progress objects.
export function total(list) {
  const sum = { recipients: 0, queued: 0, sent: 0, delivered: 0, failed: 0 };
  for (const p of list) { const c = counts(p); for (const k of Object.keys(sum)) sum[k] += c[k]; }
  return counts(sum);
}

// Yuan as the box read it (null: never read).
export function yuan(v) {
  return v === null || v === undefined || v === '' ? '—' : t('hub.yuan', { n: Number(v).toFixed(2) });
}

// A count table: rows of [label, n] sorted by count, with a total line.
export function countTable(id, head, rows) {
  const sorted = [...rows].sort((a, b) => b[1] - a[1]);
  const sum = sorted.reduce((s, r) => s + r[1], 0);
  return h('div', { class: 'table-wrap' }, h('table', { class: 'num', id }, [
    h('thead', null, h('tr', null, [h('th', null, head), h('th', { class: 'n' }, t('hub.count'))])),
    h('tbody', null, sorted.map(([label, n]) => h('tr', null, [h('td', null, label), h('td', { class: 'n' }, String(n))]))),
    h('tfoot', null, h('tr', null, [h('td', null, t('hub.total')), h('td', { class: 'n' }, String(sum))])),
  ]));
}

// Template fields: {name} and {village} on the wire (docs/federation.md); the Chinese panel shows
// and accepts {姓名} and {村}, as the township panel does.
const FIELD_ZH = { name: '姓名', village: '村' };
export const FIELDS = Object.keys(FIELD_ZH);
export function fieldToken(f) { return `{${lang === 'zh-CN' ? FIELD_ZH[f] : f}}`; }
export function toWire(text) {
  return text.replace(/\{(姓名|村)\}/g, (m, k) => (k === '姓名' ? '{name}' : '{village}'));
}
export function forDisplay(text) {
  return lang === 'zh-CN' ? String(text || '').replace(/\{(name|village)\}/g, (m, k) => `{${FIELD_ZH[k]}}`) : String(text || '');
}
