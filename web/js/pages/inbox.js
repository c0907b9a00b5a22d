// SPDX-License-Identifier: Apache-2.0
// Inbox: replies with filters (category, status, village, search), triage at a glance,
// threads per contact, CSV export.
import { api } from '../api.js';
import { h, fmtTime } from '../h.js';
import { t, lang } from '../i18n.js';
import { card, badge, statusBadge, empty } from '../ui.js';

function filtersFrom(route) {
  const q = route.query;
  return { category: q.get('category') || '', status: q.get('status') || '', village: q.get('village') || '', q: q.get('q') || '', cursor: q.get('cursor') || '' };
}

function queryString(f) {
  const p = new URLSearchParams({ direction: 'in', limit: '50' });
  for (const k of ['category', 'status', 'village', 'q', 'cursor']) if (f[k]) p.set(k, f[k]);
  return p.toString();
}

export default {
  title: 'nav.inbox',
  live: true,
  async load(route, opts = {}) {
    const f = filtersFrom(route);
    const [list, settings] = await Promise.all([
      api('GET', `/messages?${queryString(f)}`, undefined, { background: opts.background }),
      api('GET', '/settings', undefined, { background: true }),
    ]);
    // Missed calls (the box hangs up every call): one line above the list.
    const calls = await api('GET', '/calls?limit=3', undefined, { background: true }).catch(() => null);
    return { f, list, menu: settings.menu, calls };
  },
  render({ f, list, menu, calls }) {
    const cat = h('select', { id: 'f-category' }, [h('option', { value: '' }, t('inbox.all_categories')),
      ...menu.map((m) => h('option', { value: m.code }, `${m.code} ${lang === 'en' ? (m.label_en || m.label_zh) : m.label_zh}`))]);
    cat.value = f.category;
    const st = h('select', { id: 'f-status' }, ['', 'new', 'in_progress', 'handled'].map((s) =>
      h('option', { value: s }, s ? t(`status.${s}`) : t('inbox.all_statuses'))));
    st.value = f.status;
    const village = h('input', { id: 'f-village', placeholder: t('contacts.village'), value: f.village });
    const search = h('input', { id: 'f-search', type: 'search', placeholder: t('inbox.search'), value: f.q });
    const apply = (e) => {
      e.preventDefault();
      const p = new URLSearchParams();
      if (cat.value) p.set('category', cat.value);
      if (st.value) p.set('status', st.value);
      if (village.value) p.set('village', village.value);
      if (search.value) p.set('q', search.value);
      location.hash = `#/inbox?${p}`;
    };
    const exportHref = `/api/v1/messages/export.csv?${queryString({ ...f, cursor: '' })}`;
    const form = h('form', { class: 'filters', onsubmit: apply }, [cat, st, village, search,
      h('button', { type: 'submit' }, t('inbox.filter')),
      h('a', { class: 'button', href: exportHref, download: 'messages.csv' }, t('inbox.export'))]);
    const items = list.items.map((m) => h('li', { class: `msg st-${m.status}`, dataset: { id: m.id } }, [
      h('div', { class: 'row' }, [
        h('a', { class: 'peer', href: m.peer ? `#/thread/${encodeURIComponent(m.peer)}` : '#/inbox' },
          m.contact_name ? `${m.contact_name} (${m.peer})` : (m.peer || t('inbox.anonymous'))),
        m.village ? h('span', { class: 'muted' }, m.village) : null,
        m.category ? badge('cat', m.category) : null,
        statusBadge(m.status),
        m.incomplete ? badge('warn', t('inbox.incomplete')) : null,
      ]),
      h('p', { class: 'text' }, m.text),
      h('small', { class: 'muted' }, fmtTime(m.created_at)),
    ]));
    const more = list.next_cursor ? h('a', { class: 'button', href: `#/inbox?${new URLSearchParams({ ...f, cursor: list.next_cursor })}` }, t('more')) : null;
    const callLine = calls && calls.items.length ? h('p', { class: 'muted calls-line', id: 'calls-line' }, [
      `${t('calls.missed_24h')}: ${calls.last_24h}`, ' · ',
      calls.items.map((c) => `${c.contact_name || c.number || t('calls.withheld')} ${fmtTime(c.at)}`).join('，')]) : null;
    return h('div', { class: 'page inbox' }, [card(t('nav.inbox'), [form, callLine,
      items.length ? h('ul', { class: 'messages', id: 'inbox-list' }, items) : empty(t('inbox.empty')), more])]);
  },
};
