// SPDX-License-Identifier: Apache-2.0
// Contacts and groups: search, add/edit, CSV import with a preview of per-row problems
// before committing, export.
import { api, toast } from '../api.js';
import { h, clear } from '../h.js';
import { t, lang } from '../i18n.js';
import { card, field, table, empty, badge } from '../ui.js';

function contactForm(c, groups, done) {
  const v = (k) => (c && c[k]) || '';
  const name = h('input', { value: v('name'), required: true, id: 'c-name' });
  const mobile = h('input', { value: v('mobile'), required: true, id: 'c-mobile', inputmode: 'tel' });
  const village = h('input', { value: v('village'), id: 'c-village' });
  const role = h('input', { value: v('role'), id: 'c-role' });
  const join = h('input', { value: v('party_join_date'), type: 'date', id: 'c-join' });
  const tags = h('input', { value: c ? c.tags.join(', ') : '', id: 'c-tags' });
  const group = h('select', { id: 'c-group' }, [h('option', { value: '' }, '—'), ...groups.map((g) => h('option', { value: g.id }, g.name))]);
  return h('form', { class: 'grid-form', onsubmit: async (e) => {
    e.preventDefault();
    const body = { name: name.value, mobile: mobile.value, village: village.value, role: role.value,
      party_join_date: join.value, tags: tags.value.split(/[,，]/).map((x) => x.trim()).filter(Boolean) };
    if (group.value) body.group_ids = [Number(group.value)];
    if (c) await api('PUT', `/contacts/${c.id}`, body); else await api('POST', '/contacts', body);
    toast(t('saved'));
    done();
  } }, [field(t('contacts.name'), name), field(t('contacts.mobile'), mobile), field(t('contacts.village'), village),
    field(t('contacts.role'), role), field(t('contacts.join_date'), join), field(t('contacts.tags'), tags),
    c ? null : field(t('contacts.group'), group), h('button', { type: 'submit', class: 'primary' }, t('save'))]);
}

function importBox(groups, done) {
  const file = h('input', { type: 'file', accept: '.csv,text/csv', id: 'import-file' });
  const group = h('select', null, [h('option', { value: '' }, t('contacts.no_group')), ...groups.map((g) => h('option', { value: g.id }, g.name))]);
  const out = h('div', { id: 'import-result' });
  let text = null;
  const run = async (commit) => {
    if (!text) return;
    const body = { csv: text, commit };
    if (group.value) body.group_id = Number(group.value);
    const r = await api('POST', '/contacts/import', body);
    clear(out);
    out.appendChild(h('p', null, t('contacts.import_summary', { total: r.rows_total, ok: r.accepted, bad: r.rows_rejected })));
    if (r.rejections.length) {
      out.appendChild(table([t('contacts.row'), t('contacts.column'), t('contacts.value'), t('contacts.problem')],
        r.rejections.map((x) => h('tr', { class: 'bad' }, [h('td', null, String(x.row)), h('td', null, x.column), h('td', null, x.value),
          h('td', null, lang === 'en' ? x.message_en : x.message_zh)]))));
    }
    if (!commit && r.accepted) {
      out.appendChild(table([t('contacts.name'), t('contacts.mobile'), t('contacts.village')],
        r.preview.slice(0, 20).map((x) => h('tr', null, [h('td', null, x.name), h('td', null, x.mobile), h('td', null, x.village)]))));
      out.appendChild(h('button', { class: 'primary', id: 'import-commit', onclick: () => run(true) }, t('contacts.import_commit', { n: r.accepted })));
    }
    if (commit) { toast(t('contacts.imported', { n: r.imported })); done(); }
  };
  file.addEventListener('change', async () => {
    const f = file.files[0];
    if (!f) return;
    // The server detects UTF-8 / GBK; send the bytes as latin-1-safe text via TextDecoder of UTF-8 first.
    const buf = await f.arrayBuffer();
    text = new TextDecoder('utf-8', { fatal: false }).decode(buf);
    run(false);
  });
  return h('div', null, [field(t('contacts.csv_file'), file), field(t('contacts.group'), group), out,
    h('p', null, h('a', { href: '/api/v1/contacts/export.csv', download: 'contacts.csv' }, t('contacts.export')))]);
}

export default {
  title: 'nav.contacts',
  async load(route) {
    const q = route.query.get('q') || '';
    const g = route.query.get('group') || '';
    const p = new URLSearchParams({ limit: '200' });
    if (q) p.set('q', q);
    if (g) p.set('group_id', g);
    const [list, groups] = await Promise.all([api('GET', `/contacts?${p}`), api('GET', '/groups')]);
    return { list, groups: groups.items, q, g };
  },
  render({ list, groups, q, g }) {
    const reload = () => window.dispatchEvent(new HashChangeEvent('hashchange'));
    const search = h('input', { type: 'search', id: 'contact-search', value: q, placeholder: t('contacts.search') });
    const editor = h('div');
    const rows = list.items.map((c) => h('tr', null, [
      h('td', null, c.name), h('td', null, c.mobile), h('td', null, c.village), h('td', null, c.role),
      h('td', null, c.tags.map((x) => badge('tag', x))), h('td', null, c.opted_out ? badge('warn', t('contacts.opted_out')) : ''),
      h('td', null, [h('button', { class: 'link', onclick: () => { clear(editor).appendChild(contactForm(c, groups, reload)); } }, t('edit')),
        h('button', { class: 'link danger', onclick: async () => { if (confirm(t('confirm_delete'))) { await api('DELETE', `/contacts/${c.id}`); reload(); } } }, t('delete'))]),
    ]));
    const newGroup = h('input', { id: 'group-name', placeholder: t('contacts.new_group') });
    return h('div', { class: 'page contacts' }, [
      card(`${t('nav.contacts')} (${list.total})`, [
        h('form', { class: 'filters', onsubmit: (e) => { e.preventDefault(); location.hash = `#/contacts?q=${encodeURIComponent(search.value)}`; } },
          [search, h('button', { type: 'submit' }, t('inbox.filter')),
            h('button', { type: 'button', id: 'contact-add', onclick: () => clear(editor).appendChild(contactForm(null, groups, reload)) }, t('contacts.add'))]),
        editor,
        rows.length ? table([t('contacts.name'), t('contacts.mobile'), t('contacts.village'), t('contacts.role'), t('contacts.tags'), '', ''], rows) : empty(t('contacts.empty')),
      ]),
      card(t('contacts.groups'), [
        groups.length ? h('ul', { class: 'plain' }, groups.map((x) => h('li', null, [h('a', { href: `#/contacts?group=${x.id}`, class: String(x.id) === g ? 'active' : null }, `${x.name} (${x.members})`), ' ',
          h('button', { class: 'link danger', onclick: async () => { if (confirm(t('confirm_delete'))) { await api('DELETE', `/groups/${x.id}`); reload(); } } }, t('delete'))]))) : empty(t('contacts.no_groups')),
        h('form', { class: 'inline', onsubmit: async (e) => { e.preventDefault(); if (!newGroup.value.trim()) return; await api('POST', '/groups', { name: newGroup.value }); reload(); } },
          [newGroup, h('button', { type: 'submit' }, t('contacts.add_group'))]),
      ]),
      card(t('contacts.import'), importBox(groups, reload)),
    ]);
  },
};
