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
