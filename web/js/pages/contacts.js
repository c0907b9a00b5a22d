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

// The import sends the file's bytes as they are: the server detects UTF-8 or GB18030/GBK (files
// saved by WPS/Excel on Chinese Windows) and finds the header below a title row.
function importBox(groups, done) {
  const file = h('input', { type: 'file', accept: '.csv,.txt,text/csv', id: 'import-file' });
  const group = h('select', { id: 'import-group' }, [h('option', { value: '' }, t('contacts.no_group')), ...groups.map((g) => h('option', { value: g.id }, g.name))]);
  const out = h('div', { id: 'import-result' });
  let bytes = null;
  const run = async (commit) => {
    if (!bytes) return;
    const q = new URLSearchParams({ commit: commit ? '1' : '0' });
    if (group.value) q.set('group_id', group.value);
    clear(out).appendChild(h('p', { class: 'muted' }, t(commit ? 'contacts.importing' : 'contacts.reading')));
    let r;
    try {
      r = await api('POST', `/contacts/import?${q}`, bytes);
    } catch (e) {
      clear(out);
      return;
    }
    clear(out);
    out.appendChild(h('p', { id: 'import-summary' }, t('contacts.import_summary', { total: r.rows_total, ok: r.accepted, bad: r.rows_rejected })));
    if (r.header_row > 1) out.appendChild(h('p', { class: 'muted' }, t('contacts.header_row', { n: r.header_row })));
    if (r.rejections.length) {
      out.appendChild(table([t('contacts.row'), t('contacts.column'), t('contacts.value'), t('contacts.problem')],
        r.rejections.map((x) => h('tr', { class: 'bad' }, [h('td', null, String(x.row)), h('td', null, lang === 'en' ? x.column : (x.column_zh || x.column)), h('td', null, x.value),
          h('td', null, lang === 'en' ? x.message_en : x.message_zh)]))));
      if (r.rejections_total > r.rejections.length) out.appendChild(h('p', { class: 'muted' }, t('contacts.more_problems', { n: r.rejections_total - r.rejections.length })));
    }
    if (!commit && r.accepted) {
      out.appendChild(table([t('contacts.name'), t('contacts.mobile'), t('contacts.village')],
        r.preview.slice(0, 20).map((x) => h('tr', null, [h('td', null, x.name), h('td', null, x.mobile), h('td', null, x.village)]))));
      out.appendChild(h('button', { class: 'primary', id: 'import-commit', onclick: () => run(true) }, t('contacts.import_commit', { n: r.accepted })));
    }
    if (commit) {
      out.appendChild(h('p', { id: 'import-done', class: 'ok' }, t('contacts.imported', { n: r.imported })));
      toast(t('contacts.imported', { n: r.imported }));
      setTimeout(done, 1500);
    }
  };
  file.addEventListener('change', async () => {
    const f = file.files[0];
    if (!f) return;
    bytes = await f.arrayBuffer();
    run(false);
  });
  return h('div', null, [h('p', { class: 'muted' }, t('contacts.import_help', { max: '300000' })),
    field(t('contacts.csv_file'), file), field(t('contacts.group'), group), out,
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
    const cell = (label, content) => h('td', { 'data-label': label }, content);
    const rows = list.items.map((c) => h('tr', null, [
      cell(t('contacts.name'), c.name), cell(t('contacts.mobile'), c.mobile), cell(t('contacts.village'), c.village), cell(t('contacts.role'), c.role),
      cell(t('contacts.tags'), c.tags.map((x) => badge('tag', x))), cell('', c.opted_out ? badge('warn', t('contacts.opted_out')) : ''),
      cell('', [h('button', { class: 'link', onclick: () => { clear(editor).appendChild(contactForm(c, groups, reload)); } }, t('edit')),
        h('button', { class: 'link danger', onclick: async () => { if (confirm(t('confirm_delete'))) { await api('DELETE', `/contacts/${c.id}`); reload(); } } }, t('delete'))]),
    ]));
    const newGroup = h('input', { id: 'group-name', placeholder: t('contacts.new_group') });
    const importer = h('details', { class: 'card import', id: 'import-box', open: list.total === 0 }, [
      h('summary', null, h('h2', null, t('contacts.import'))), importBox(groups, reload)]);
    return h('div', { class: 'page contacts' }, [
      importer,
      card(`${t('nav.contacts')} (${list.total})`, [
        h('form', { class: 'filters', onsubmit: (e) => { e.preventDefault(); location.hash = `#/contacts?q=${encodeURIComponent(search.value)}`; } },
          [search, h('button', { type: 'submit' }, t('inbox.filter')),
            h('button', { type: 'button', id: 'contact-add', onclick: () => clear(editor).appendChild(contactForm(null, groups, reload)) }, t('contacts.add'))]),
        editor,
        rows.length ? h('div', { class: 'contact-list' }, table([t('contacts.name'), t('contacts.mobile'), t('contacts.village'), t('contacts.role'), t('contacts.tags'), '', ''], rows)) : empty(t('contacts.empty')),
      ]),
      card(t('contacts.groups'), [
        groups.length ? h('ul', { class: 'plain' }, groups.map((x) => h('li', null, [h('a', { href: `#/contacts?group=${x.id}`, class: String(x.id) === g ? 'active' : null }, `${x.name} (${x.members})`), ' ',
          h('button', { class: 'link danger', onclick: async () => { if (confirm(t('confirm_delete'))) { await api('DELETE', `/groups/${x.id}`); reload(); } } }, t('delete'))]))) : empty(t('contacts.no_groups')),
        h('form', { class: 'inline', onsubmit: async (e) => { e.preventDefault(); if (!newGroup.value.trim()) return; await api('POST', '/groups', { name: newGroup.value }); reload(); } },
          [newGroup, h('button', { type: 'submit' }, t('contacts.add_group'))]),
      ]),
    ]);
  },
};
