// SPDX-License-Identifier: Apache-2.0
// Small shared widgets built with h().

import { h, svg } from './h.js';
import { t } from './i18n.js';

export function field(label, input, hint) {
  return h('label', { class: 'field' }, [h('span', null, label), input, hint ? h('small', { class: 'muted' }, hint) : null]);
}

export function card(title, children, attrs = {}) {
  return h('section', { class: 'card', ...attrs }, [title ? h('h2', null, title) : null, children]);
}

export function progressBar(percent, label) {
  const p = Math.max(0, Math.min(100, percent || 0));
  const bar = h('div', { class: 'bar' });
  bar.style.width = `${p}%`;  // CSSOM (allowed by the CSP), never inline style text
  return h('div', { class: 'progress', role: 'progressbar', 'aria-valuenow': Math.round(p), 'aria-valuemin': 0, 'aria-valuemax': 100 },
    [bar, h('span', null, label || `${Math.round(p)}%`)]);
}

// Moves an existing progress bar (live campaign events) without re-rendering the page.
export function setProgress(el, percent, label) {
  if (!el) return;
  const p = Math.max(0, Math.min(100, percent || 0));
  const bar = el.querySelector('.bar');
  if (bar) bar.style.width = `${p}%`;
  el.setAttribute('aria-valuenow', String(Math.round(p)));
  const span = el.querySelector('span');
  if (span) span.textContent = label || `${Math.round(p)}%`;
}

// A `campaign` live event ({id, status, progress, eta_seconds}) applied to every bar marked
// data-campaign=<id> under `root`. False when the page must reload instead (a campaign it does
// not show, or one whose state changed).
export function applyCampaignEvent(root, ev, fmtEta) {
  if (!root || !ev || !ev.progress) return false;
  const boxes = root.querySelectorAll(`[data-campaign="${Number(ev.id)}"]`);
  if (!boxes.length) return false;
  for (const box of boxes) {
    if (box.dataset.status !== ev.status) return false;
    setProgress(box.querySelector('.progress'), ev.progress.percent, `${ev.progress.done}/${ev.progress.recipients}`);
    const eta = box.querySelector('.eta');
    if (eta && fmtEta) eta.textContent = ev.eta_seconds === null || ev.eta_seconds === undefined ? '' : fmtEta(ev.eta_seconds);
  }
  return true;
}

export function signalBars(dbm) {
  // -113 dBm (none) … -51 dBm (excellent) → 0..4 bars
  const level = dbm === null || dbm === undefined ? 0 : Math.max(0, Math.min(4, Math.round((dbm + 113) / 15)));
  const bars = [];
  for (let i = 0; i < 4; i++) {
    const hgt = 4 + i * 4;
    bars.push(svg('rect', { x: i * 6, y: 18 - hgt, width: 4, height: hgt, class: i < level ? 'on' : 'off' }));
  }
  return h('span', { class: 'signal', title: dbm === null || dbm === undefined ? t('modem.no_signal') : `${dbm} dBm` },
    [svg('svg', { viewBox: '0 0 24 18', width: 24, height: 18 }, bars)]);
}

// "短信存储 SM 3/30"; a warning when 80 % or more is used (what the inbox could not take piles up).
export function storageLine(m, tag = 'div') {
  const s = m.storage;
  if (!s || !(s.total > 0)) return null;
  const warn = s.used * 5 >= s.total * 4;
  const mem = t(`modem.mem.${s.mem}`) !== `modem.mem.${s.mem}` ? t(`modem.mem.${s.mem}`) : s.mem;
  return h(tag, { class: warn ? 'error storage' : 'muted storage', title: warn ? t('modem.storage_warn') : null },
    `${t('modem.storage')} ${mem} ${s.used}/${s.total}${warn ? ' — ' + t('modem.storage_warn') : ''}`);
}

// A carrier's name in the panel's language. `carrier` is the server's reading of the modem's
// AT+COPS answer or MCC/MNC ("china_mobile", …); an operator it does not know stays as it is.
const CARRIERS = ['china_mobile', 'china_unicom', 'china_telecom', 'china_broadnet'];
// Without the server's reading (older records), the usual AT+COPS names and MCC/MNC codes.
const GUESS = [[/MOBILE|CMCC|移动|^4600[0247]/i, 'china_mobile'], [/UNICOM|CUCC|联通|^4600[169]/i, 'china_unicom'],
  [/TELECOM|CTCC|电信|^4600[35]|^46011/i, 'china_telecom'], [/BROADNET|广电|^46015/i, 'china_broadnet']];
export function operatorName(operator, carrier) {
  let c = carrier;
  if (!CARRIERS.includes(c)) c = (GUESS.find(([re]) => re.test(operator || '')) || [])[1];
  if (CARRIERS.includes(c)) return t(`carrier.${c}`);
  return operator || '';
}

// A modem's title: its carrier, else its model, else its port id.
export function modemTitle(m) {
  return operatorName(m.operator, m.carrier) || m.model || m.id;
}

// Seconds left as "约 3 分钟" (panel language, no English unit letters).
export function fmtEta(sec) {
  if (sec === null || sec === undefined) return '';
  if (sec < 60) return t('eta.seconds', { n: Math.max(1, Math.round(sec)) });
  if (sec < 3600) return t('eta.minutes', { n: Math.round(sec / 60) });
  return t('eta.hours', { n: (sec / 3600).toFixed(1) });
}

// "N 人": a count of people with its measure word (en: "1 recipient", "2 recipients").
export function people(n) {
  return t(n === 1 ? 'count.people_one' : 'count.people', { n });
}

export function badge(kind, text) {
  return h('span', { class: `badge ${kind}` }, text);
}

export function statusBadge(status) {
  return badge(`st-${status}`, t(`status.${status}`));
}

export function empty(text) {
  return h('p', { class: 'muted empty' }, text);
}

export function table(headers, rows) {
  return h('div', { class: 'table-wrap' }, h('table', null, [
    h('thead', null, h('tr', null, headers.map((x) => h('th', null, x)))),
    h('tbody', null, rows),
  ]));
}
