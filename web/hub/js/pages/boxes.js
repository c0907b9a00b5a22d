// SPDX-License-Identifier: Apache-2.0
// Each township box's health as it last reported: online, last seen, modems, SIM credit, queue,
// self-test, last error.
import { h, fmtTime } from '../../../js/h.js';
import { t } from '../../../js/i18n.js';
import { card, badge, empty } from '../../../js/ui.js';
import { loadBoxes, boxName, ago, yuan } from '../county.js';

// Balance: one number, or per SIM ({iccid: yuan} or [{iccid, balance}]).
function balances(b) {
  const v = b.balance;
  if (v === null || v === undefined) return [];
  if (typeof v === 'number' || typeof v === 'string') return [[null, v]];
  if (Array.isArray(v)) return v.map((x) => [x.iccid || x.sim || null, x.balance ?? x.yuan ?? null]);
  return Object.entries(v);
}

function selftest(b) {
  const s = b.selftest;
  if (s === null || s === undefined || (Array.isArray(s) && !s.length)) return h('span', { class: 'muted' }, t('hub.box.selftest_none'));
  const list = Array.isArray(s) ? s : [s];
  const bad = list.filter((x) => x && x.ok === false);
  const at = Math.max(...list.map((x) => (x && x.at) || 0));
  return h('span', { class: bad.length ? 'error' : 'ok' },
    `${bad.length ? t('hub.box.selftest_bad', { n: bad.length }) : t('hub.box.selftest_ok')}${at ? ' · ' + fmtTime(at) : ''}`);
}

function boxCard(b) {
  const low = balances(b).some(([, y]) => y !== null && Number(y) < 10);
  return h('section', { class: `card box ${b.online ? 'online' : 'offline'}`, dataset: { box: b.id } }, [
    h('div', { class: 'row' }, [h('h2', null, boxName(b)),
      b.online ? badge('st-done', t('hub.box.online')) : badge('st-failed', t('hub.box.offline'))]),
    h('dl', { class: 'facts' }, [
      h('dt', null, t('hub.box.id')), h('dd', null, b.id),
      h('dt', null, t('hub.box.last_seen')), h('dd', { class: 'last-seen' }, `${ago(b.last_seen)}${b.last_seen ? ' · ' + fmtTime(b.last_seen) : ''}`),
      h('dt', null, t('hub.box.modems')), h('dd', { class: 'modems' },
        t('hub.box.modems_ready', { ready: b.modems_ready ?? '—', n: b.modems ?? '—' })),
      h('dt', null, t('hub.box.queue')), h('dd', { class: 'queue' }, String(b.queue ?? '—')),
      h('dt', null, t('hub.box.balance')), h('dd', { class: low ? 'balance error' : 'balance' },
        balances(b).length ? balances(b).map(([sim, y], i) => h('span', { class: 'sim' },
          `${i ? '，' : ''}${sim ? '…' + String(sim).slice(-4) + ' ' : ''}${yuan(y)}`)) : '—'),
      h('dt', null, t('hub.box.selftest')), h('dd', { class: 'selftest' }, selftest(b)),
      b.last_error ? h('dt', null, t('hub.box.last_error')) : null,
      b.last_error ? h('dd', { class: 'error' }, String(b.last_error)) : null,
    ]),
  ]);
}

export default {
  title: 'hub.nav.boxes',
  tick: true,
  load: (route, opts = {}) => loadBoxes(opts),
  render(boxes) {
    const sorted = [...boxes].sort((a, b) => (a.online === b.online ? boxName(a).localeCompare(boxName(b), 'zh-CN') : a.online ? 1 : -1));
    return h('div', { class: 'page hub-boxes' }, [
      card(t('hub.nav.boxes'), [h('p', { class: 'muted' }, t('hub.boxes.hint')), boxes.length ? null : empty(t('hub.boxes.none'))]),
      h('div', { class: 'hub-grid', id: 'boxes' }, sorted.map(boxCard))]);
  },
};
