// SPDX-License-Identifier: Apache-2.0
// 通知模板: the office's saved notice texts, to pick when composing a broadcast.
import { api, toast } from '../api.js';
import { h } from '../h.js';
import { t } from '../i18n.js';
import { card, field, empty } from '../ui.js';
import { session } from '../main.js';

function editor(tpl, onSaved) {
  const name = h('input', { name: 'name', required: true, maxlength: 100, value: tpl ? tpl.name : '' });
  const body = h('textarea', { name: 'body', rows: 4, required: true, value: tpl ? tpl.body : '', placeholder: t('compose.template_hint') });
  return h('form', { class: 'template-form', dataset: { template: tpl ? tpl.id : 'new' }, onsubmit: async (e) => {
    e.preventDefault();
    try {
      if (tpl) await api('PUT', `/templates/${tpl.id}`, { name: name.value, body: body.value });
      else await api('POST', '/templates', { name: name.value, body: body.value });
      toast(t('saved'));
      onSaved();
    } catch (_) { /* toast shown */ }
  } }, [field(t('templates.name'), name), field(t('templates.body'), body), h('button', { type: 'submit', class: 'primary' }, t('templates.save'))]);
}

export default {
  title: 'templates.title',
  load: () => api('GET', '/templates'),
  render(d) {
    const operator = session.user && session.user.role !== 'viewer';
    const reload = () => window.dispatchEvent(new HashChangeEvent('hashchange'));
    const items = d.items.map((x) => h('li', { class: 'template', dataset: { template: x.id } }, [
      h('h3', null, x.name),
      h('p', { class: 'text' }, x.body),
      h('div', { class: 'actions' }, [
        operator ? h('a', { class: 'button primary', href: `#/compose?template=${x.id}` }, t('templates.use')) : null,
        operator ? h('details', null, [h('summary', null, t('edit')), editor(x, reload)]) : null,
        operator ? h('button', { class: 'danger', onclick: async () => {
          if (!confirm(t('templates.confirm_delete', { name: x.name }))) return;
          try { await api('DELETE', `/templates/${x.id}`); toast(t('templates.deleted')); reload(); } catch (_) { /* toast shown */ }
        } }, t('templates.delete')) : null,
      ]),
    ]));
    return h('div', { class: 'page templates' }, [
      card(t('templates.title'), items.length ? h('ul', { class: 'plain' }, items) : empty(t('templates.none'))),
      operator ? card(t('templates.add'), editor(null, reload)) : null,
    ]);
  },
};
