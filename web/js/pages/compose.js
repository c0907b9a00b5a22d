// SPDX-License-Identifier: Apache-2.0
// Compose a broadcast: targets (groups, villages, tags, numbers), a template with merge
// fields and a live preview, a live character/segment/cost counter, schedule or send now.
import { api, toast } from '../api.js';
import { h, clear } from '../h.js';
import { t } from '../i18n.js';
import { card, field, empty } from '../ui.js';
import { plan } from '../sms.js';

function checks(name, items) {
  return h('div', { class: 'checks', id: `pick-${name}` }, items.map((it) =>
    h('label', null, [h('input', { type: 'checkbox', value: it.value, dataset: { kind: name } }), ' ', it.label])));
}

function picked(root, kind) {
  return [...root.querySelectorAll(`input[data-kind="${kind}"]:checked`)].map((i) => i.value);
}

export default {
  title: 'nav.compose',
  async load() {
    const [groups, villages, tags, settings] = await Promise.all([
      api('GET', '/groups'), api('GET', '/villages'), api('GET', '/tags'), api('GET', '/settings')]);
    return { groups: groups.items, villages: villages.items, tags: tags.items, settings };
  },
  render({ groups, villages, tags }) {
    const name = h('input', { id: 'camp-name', required: true, placeholder: t('compose.name_hint') });
    const tpl = h('textarea', { id: 'camp-template', rows: 5, required: true, placeholder: t('compose.template_hint') });
    const numbers = h('textarea', { id: 'camp-numbers', rows: 2, placeholder: '13800000000, 13900000000' });
    const when = h('input', { id: 'camp-when', type: 'datetime-local' });
    const counter = h('p', { class: 'counter', id: 'camp-counter' });
    const preview = h('div', { class: 'preview', id: 'camp-preview' });
    const root = h('form', { class: 'page compose' });
    const targets = () => ({
      group_ids: picked(root, 'group').map(Number),
      villages: picked(root, 'village'),
      tags: picked(root, 'tag'),
      mobiles: numbers.value.split(/[\s,，;；]+/).filter(Boolean),
    });
    let timer = null;
    let seq = 0;
    const refresh = () => {
      const p = plan(tpl.value);
      counter.textContent = t('compose.counter', { chars: p.units, segments: p.segments, remaining: p.remaining }) +
        ` · ${t(p.encoding === 'gsm7' ? 'compose.enc_gsm7' : 'compose.enc_ucs2')}`;
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const my = ++seq;
        if (!tpl.value.trim()) { clear(preview); return; }
        try {
          const r = await api('POST', '/campaigns/preview', { template: tpl.value, targets: targets() }, { quiet: true });
          if (my !== seq) return;
          clear(preview);
          preview.appendChild(h('p', { id: 'camp-estimate' }, t('compose.estimate', {
            recipients: r.recipients, segments: r.estimate.segments, cost: r.estimate.cost_yuan })));
          if (r.problems.length) preview.appendChild(h('p', { class: 'error' }, t('compose.template_problem') + ': ' + r.problems.map((x) => x.name || x.code).join(', ')));
          if (r.missing_values) preview.appendChild(h('p', { class: 'warn' }, t('compose.missing_values', { n: r.missing_values })));
          for (const s of r.samples) {
            preview.appendChild(h('div', { class: 'bubble out' }, [h('small', { class: 'muted' }, `${s.name} ${s.mobile}`), h('p', { class: 'text' }, s.text)]));
          }
        } catch (_) { /* quiet */ }
      }, 300);
    };
    tpl.addEventListener('input', refresh);
    numbers.addEventListener('input', refresh);
    root.addEventListener('change', refresh);
    const insert = (f) => h('button', { type: 'button', class: 'chip', onclick: () => { tpl.setRangeText(`{${f}}`, tpl.selectionStart, tpl.selectionEnd, 'end'); tpl.focus(); refresh(); } }, `{${f}}`);
    root.addEventListener('submit', async (e) => {
      e.preventDefault();
      const body = { name: name.value, template: tpl.value, targets: targets() };
      if (when.value) body.scheduled_at = Math.floor(new Date(when.value).getTime() / 1000);
      else body.start_now = true;
      try {
        const c = await api('POST', '/campaigns', body);
        toast(t('compose.created'));
        location.hash = `#/campaign/${c.id}`;
      } catch (_) { /* toast shown */ }
    });
    const parts = [
      card(t('compose.targets'), [
        h('h3', null, t('contacts.groups')), groups.length ? checks('group', groups.map((g) => ({ value: g.id, label: `${g.name} (${g.members})` }))) : empty(t('contacts.no_groups')),
        h('h3', null, t('contacts.villages')), villages.length ? checks('village', villages.map((v) => ({ value: v.name, label: `${v.name} (${v.contacts})` }))) : empty('—'),
        tags.length ? h('h3', null, t('contacts.tags')) : null, tags.length ? checks('tag', tags.map((x) => ({ value: x, label: x }))) : null,
        field(t('compose.numbers'), numbers),
      ]),
      card(t('compose.message'), [
        field(t('compose.name'), name),
        h('div', { class: 'chips' }, ['姓名', '村', '职务', '党龄', '日期'].map(insert)),
        field(t('compose.template'), tpl),
        counter,
        preview,
        field(t('compose.schedule'), when, t('compose.schedule_hint')),
        h('button', { type: 'submit', class: 'primary', id: 'camp-send' }, t('compose.send')),
      ]),
    ];
    parts.forEach((p) => root.appendChild(p));
    refresh();
    return root;
  },
};
