// SPDX-License-Identifier: Apache-2.0
// County notices, newest first, each with its progress over every township.
import { api } from '../../../js/api.js';
import { h, fmtTime } from '../../../js/h.js';
import { t } from '../../../js/i18n.js';
import { card, progressBar, badge, empty } from '../../../js/ui.js';
import { items, counts, total, forDisplay } from '../county.js';
import { canAct } from '../main.js';

// A notice's totals: its own progress object, else the sum of its boxes'.
export function noticeTotals(n) {
  if (n.progress && typeof n.progress === 'object' && !Array.isArray(n.progress)) return counts(n.progress);
  if (n.totals) return counts(n.totals);
  const per = Array.isArray(n.boxes) ? n.boxes.filter((b) => b && typeof b === 'object') : [];
  if (per.length) return total(per);
  return counts(n);
}

export default {
  title: 'hub.nav.notices',
  tick: true,
  load: async (route, opts = {}) => items(await api('GET', '/county/notices', undefined, { background: opts.background }), 'notices'),
  render(list) {
    const rows = list.map((n) => {
      const c = noticeTotals(n);
      const nboxes = Array.isArray(n.boxes) ? n.boxes.length : (n.totals && n.totals.boxes !== undefined ? n.totals.boxes : null);
      return h('li', { class: 'notice', dataset: { notice: n.id } }, [
        h('div', { class: 'row' }, [h('a', { href: `#/notice/${encodeURIComponent(n.id)}`, class: 'notice-text' }, forDisplay(n.text) || String(n.id)),
          n.cancelled_at ? badge('st-cancelled', t('hub.notice.status.cancelled')) : null,
          h('small', { class: 'muted' }, fmtTime(n.created_at || n.at))]),
        progressBar(c.percent, `${c.done}/${c.recipients}`),
        h('small', { class: 'muted' }, [
          nboxes !== null ? t('hub.notice.boxes_n', { n: nboxes }) + ' · ' : '',
          t('hub.notice.counts', { delivered: c.delivered, sent: c.sent, failed: c.failed, queued: c.queued })]),
      ]);
    });
    return h('div', { class: 'page hub-notices' }, card(t('hub.nav.notices'), [
      canAct() ? h('p', null, h('a', { class: 'button primary', href: '#/compose' }, t('hub.nav.compose'))) : null,
      rows.length ? h('ul', { class: 'plain notices', id: 'notices' }, rows) : empty(t('hub.notices.none'))]));
  },
};
