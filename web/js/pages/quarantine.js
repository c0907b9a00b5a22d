// SPDX-License-Identifier: Apache-2.0
// Quarantine (admins): PDUs and status reports the inbox could not process, with the reason and
// the raw PDU (it holds the sender's number, hence admins only). Reached from the dashboard.
import { api } from '../api.js';
import { h, fmtTime } from '../h.js';
import { t } from '../i18n.js';
import { card, empty, table } from '../ui.js';

export default {
  title: 'quarantine.title',
  load: (route) => {
    const cursor = route.query.get('cursor');
    return api('GET', `/quarantine?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
  },
  render(d) {
    const rows = d.items.map((q) => h('tr', { dataset: { id: q.id } }, [
      h('td', null, fmtTime(q.at)),
      h('td', null, t(`quarantine.kind.${q.kind}`)),
      h('td', { class: 'reason' }, q.reason),
      h('td', null, h('code', { class: 'raw' }, q.raw)),
    ]));
    const more = d.next_cursor ? h('a', { class: 'button', href: `#/quarantine?cursor=${d.next_cursor}` }, t('more')) : null;
    return h('div', { class: 'page quarantine' }, [card(`${t('quarantine.title')} (${d.count})`, [
      h('p', { class: 'muted' }, t('quarantine.help')),
      rows.length
        ? table([t('quarantine.at'), t('quarantine.kind'), t('quarantine.reason'), t('quarantine.raw')], rows)
        : empty(t('quarantine.empty')),
      more,
    ])]);
  },
};
