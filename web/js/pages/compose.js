// SPDX-License-Identifier: Apache-2.0
// Compose a broadcast: targets (roles, groups, villages, tags, numbers), a saved template or a
// new text with Chinese merge fields, the rendered texts measured (longest / total), cost with
// the opted-out skipped, SIM budget and daily-limit warnings, "reply 1" confirmation requests,
// and a confirmation step before anything leaves (typed count above the large-broadcast size).
import { api, toast } from '../api.js';
import { h, clear, fmtTime, parseOfficeTime } from '../h.js';
import { t } from '../i18n.js';
import { card, field, empty } from '../ui.js';
import { plan } from '../sms.js';

// What one SMS holds in this text's alphabet (Chinese: 70 per SMS, 67 per part of a long one).
const encodingText = (p) => t(p.encoding === 'gsm7' ? 'compose.enc_gsm7' : 'compose.enc_ucs2');

const FIELDS = ['name', 'village', 'role', 'years', 'date'];
const REMIND_HOURS = [2, 4, 24];

function checks(name, items) {
  return h('div', { class: 'checks', id: `pick-${name}` }, items.map((it) =>
    h('label', null, [h('input', { type: 'checkbox', value: it.value, dataset: { kind: name } }), ' ', it.label])));
}

function picked(root, kind) {
  return [...root.querySelectorAll(`input[data-kind="${kind}"]:checked`)].map((i) => i.value);
}

// "中国移动 …0001" for a SIM in warnings.
function simName(w) {
  const tail = (w.iccid || '').slice(-4);
  return `${w.operator || 'SIM'}${tail ? ' …' + tail : ''}`;
}

function warningTexts(r) {
  return (r.warnings || []).map((w) => {
    if (w.code === 'identical_bulk') {
      return t('compose.warn_identical', { recipients: w.recipients, sims: w.sims, per_sim: w.per_sim, hours: w.hours });
    }
    if (w.code === 'daily_limit') return t('compose.warn_daily', { sim: simName(w), remaining: w.remaining, segments: w.segments });
    const e = (r.per_sim || []).find((x) => x.iccid === w.iccid) || {};
    return t('compose.warn_budget', { sim: simName(w), segments: e.segments ?? '' });
  });
}

// The confirmation step: what will leave, what is skipped, the warnings; above the
// large-broadcast size the clerk types the recipient count. Resolves to the typed count
// (or the count itself) when confirmed, null when cancelled.
function confirmDialog(r, scheduledAt) {
  return new Promise((resolve) => {
    const needType = !!r.needs_typed_confirmation;
    const typed = h('input', { id: 'confirm-count', inputmode: 'numeric', autocomplete: 'off', size: 8 });
    const go = h('button', { type: 'button', class: 'primary', id: 'confirm-go', disabled: needType }, t('compose.confirm_go'));
    const back = h('button', { type: 'button', id: 'confirm-back' }, t('compose.confirm_back'));
    const lines = [h('p', { id: 'confirm-summary', class: 'big' }, t('compose.confirm_summary', {
      recipients: r.recipients, segments: r.estimate.segments, cost: r.estimate.cost_yuan }))];
    if (r.opted_out) lines.push(h('p', { id: 'confirm-skipped' }, t('compose.confirm_skipped', { n: r.opted_out })));
    if (r.invalid) lines.push(h('p', null, t('compose.confirm_invalid', { n: r.invalid })));
    if (r.missing_values) lines.push(h('p', { class: 'warn' }, t('compose.confirm_missing', { n: r.missing_values })));
    if (scheduledAt) lines.push(h('p', null, t('compose.confirm_scheduled', { when: fmtTime(scheduledAt) })));
    for (const w of warningTexts(r)) lines.push(h('p', { class: 'warn confirm-warning' }, w));
    if (needType) {
      lines.push(h('label', { class: 'field' }, [h('span', null, t('compose.confirm_type', {
        threshold: r.large_broadcast_threshold, n: r.recipients })), typed]));
      typed.addEventListener('input', () => { go.disabled = typed.value.trim() !== String(r.recipients); });
    }
    const dlg = h('dialog', { id: 'send-confirm', class: 'confirm' }, [
      h('h2', null, t('compose.confirm_title')), ...lines, h('div', { class: 'actions' }, [back, go])]);
    const done = (v) => { dlg.close(); dlg.remove(); resolve(v); };
    go.addEventListener('click', () => done(needType ? Number(typed.value.trim()) : r.recipients));
    back.addEventListener('click', () => done(null));
    dlg.addEventListener('cancel', (e) => { e.preventDefault(); done(null); });
    document.body.appendChild(dlg);
    dlg.showModal();
    (needType ? typed : go).focus();
  });
}

export default {
  title: 'nav.compose',
  async load(route) {
    const [groups, villages, tags, roles, templates] = await Promise.all([
      api('GET', '/groups'), api('GET', '/villages'), api('GET', '/tags'), api('GET', '/roles'), api('GET', '/templates')]);
    return { groups: groups.items, villages: villages.items, tags: tags.items, roles: roles.items,
      templates: templates.items, templateId: route && route.query ? Number(route.query.get('template')) || null : null };
  },
  render({ groups, villages, tags, roles, templates, templateId }) {
    const name = h('input', { id: 'camp-name', required: true, placeholder: t('compose.name_hint') });
    const tpl = h('textarea', { id: 'camp-template', rows: 5, required: true, placeholder: t('compose.template_hint') });
    const numbers = h('textarea', { id: 'camp-numbers', rows: 2, placeholder: '13800000000, 13900000000' });
    const when = h('input', { id: 'camp-when', type: 'datetime-local' });
    const counter = h('p', { class: 'counter', id: 'camp-counter' });
    const preview = h('div', { class: 'preview', id: 'camp-preview' });
    const confirmReq = h('input', { type: 'checkbox', id: 'camp-confirm' });
    const remind = h('select', { id: 'camp-remind', disabled: true }, [
      ...REMIND_HOURS.map((n) => h('option', { value: n }, t('compose.remind_hours', { n }))),
      h('option', { value: 0 }, t('compose.remind_none'))]);
    remind.value = '24';
    const chooser = h('select', { id: 'camp-pick-template' }, [h('option', { value: '' }, t('compose.pick_none')),
      ...templates.map((x) => h('option', { value: x.id }, x.name))]);
    const root = h('form', { class: 'page compose' });
    const targets = () => ({
      roles: picked(root, 'role'),
      group_ids: picked(root, 'group').map(Number),
      villages: picked(root, 'village'),
      tags: picked(root, 'tag'),
      mobiles: numbers.value.split(/[\s,，;；]+/).filter(Boolean),
    });
    const hasTargets = (x) => x.roles.length || x.group_ids.length || x.villages.length || x.tags.length || x.mobiles.length;
    let timer = null;
    let seq = 0;
    let last = null;  // the last preview (for the confirmation step)
    const showTemplateCounter = () => {
      const p = plan(tpl.value);
      counter.textContent = `${t('compose.template_counter', { chars: p.units, segments: p.segments })} · ${encodingText(p)}`;
    };
    const fetchPreview = async (quiet = true) => {
      const my = ++seq;
      const tg = targets();
      if (!tpl.value.trim() || !hasTargets(tg)) { last = null; clear(preview); showTemplateCounter(); return null; }
      const r = await api('POST', '/campaigns/preview', { template: tpl.value, targets: tg }, { quiet });
      if (my !== seq) return null;
      last = r;
      clear(preview);
      // The counter measures what will be sent: the rendered texts, not the template.
      counter.textContent = r.recipients ? t('compose.longest', { units: r.longest.units, segments: r.longest.segments, total: r.estimate.segments })
        : `${t('compose.template_counter', { chars: plan(tpl.value).units, segments: plan(tpl.value).segments })} · ${encodingText(plan(tpl.value))}`;
      preview.appendChild(h('p', { id: 'camp-estimate' }, t('compose.estimate_full', {
        recipients: r.recipients, segments: r.estimate.segments, cost: r.estimate.cost_yuan })));
      if (r.opted_out) preview.appendChild(h('p', { id: 'camp-skipped', class: 'muted' }, t('compose.skipped_opted_out', { n: r.opted_out })));
      if (r.problems.length) preview.appendChild(h('p', { class: 'error' }, t('compose.template_problem') + ': ' + r.problems.map((x) => x.name || x.code).join(', ')));
      if (r.missing_values) preview.appendChild(h('p', { class: 'warn' }, t('compose.missing_values', { n: r.missing_values })));
      for (const w of warningTexts(r)) preview.appendChild(h('p', { class: 'warn camp-warning' }, w));
      for (const s of r.samples) {
        preview.appendChild(h('div', { class: 'bubble out' }, [h('small', { class: 'muted' }, `${s.name} ${s.mobile} · ${s.units} / ${s.segments} ${t('compose.sms_unit')}`), h('p', { class: 'text' }, s.text)]));
      }
      return r;
    };
    const refresh = () => {
      if (!last) showTemplateCounter();
      clearTimeout(timer);
      timer = setTimeout(() => { fetchPreview().catch(() => { /* quiet */ }); }, 300);
    };
    tpl.addEventListener('input', refresh);
    numbers.addEventListener('input', refresh);
    root.addEventListener('change', refresh);
    chooser.addEventListener('change', () => {
      const x = templates.find((y) => String(y.id) === chooser.value);
      if (x) {
        tpl.value = x.body;
        if (!name.value) name.value = x.name;
        refresh();
      }
    });
    if (templateId) {
      chooser.value = String(templateId);
      const x = templates.find((y) => y.id === templateId);
      if (x) { tpl.value = x.body; name.value = x.name; }
    }
    // 未接来电即确认: villagers who cannot type call the box and hang up (only with a confirmation request).
    const byCall = h('input', { type: 'checkbox', id: 'camp-missed-call', disabled: true });
    confirmReq.addEventListener('change', () => {
      remind.disabled = !confirmReq.checked;
      byCall.disabled = !confirmReq.checked;
      if (!confirmReq.checked) byCall.checked = false;
      const suffix = t('compose.confirm_suffix');
      if (confirmReq.checked && !/回复\s*1/.test(tpl.value)) tpl.value = tpl.value.replace(/\s*$/, '') + suffix;
      refresh();
    });
    const insert = (f) => h('button', { type: 'button', class: 'chip', dataset: { field: f }, onclick: () => {
      tpl.setRangeText(`{${t(`compose.field.${f}`)}}`, tpl.selectionStart, tpl.selectionEnd, 'end'); tpl.focus(); refresh();
    } }, `{${t(`compose.field.${f}`)}}`);
    const saveTemplate = h('button', { type: 'button', id: 'camp-save-template', onclick: async () => {
      if (!tpl.value.trim()) return;
      const n = prompt(t('compose.save_template_name'), name.value || '');
      if (!n) return;
      try {
        const x = await api('POST', '/templates', { name: n, body: tpl.value });
        templates.push(x);
        chooser.appendChild(h('option', { value: x.id }, x.name));
        chooser.value = String(x.id);
        toast(t('compose.template_saved'));
      } catch (_) { /* toast shown */ }
    } }, t('compose.save_template'));
    root.addEventListener('submit', async (e) => {
      e.preventDefault();
      const tg = targets();
      if (!hasTargets(tg)) { toast(t('compose.no_targets'), 'error'); return; }
      let r;
      try { r = await fetchPreview(false); } catch (_) { r = null; }
      if (!r) return;
      if (!r.recipients) { toast(t('compose.no_targets'), 'error'); return; }
      const scheduledAt = when.value ? parseOfficeTime(when.value) : null;
      const count = await confirmDialog(r, scheduledAt);
      if (count === null) return;
      const body = { name: name.value, template: tpl.value, targets: tg, confirm_count: count };
      if (confirmReq.checked) {
        body.confirm_request = true;
        body.remind_after_hours = Number(remind.value);
        if (byCall.checked) body.missed_call_confirms = true;
      }
      if (scheduledAt) body.scheduled_at = scheduledAt;
      else body.start_now = true;
      try {
        const c = await api('POST', '/campaigns', body);
        toast(t('compose.created'));
        location.hash = `#/campaign/${c.id}`;
      } catch (_) { /* toast shown */ }
    });
    const parts = [
      card(t('compose.targets'), [
        h('h3', null, t('compose.roles')), checks('role', roles.map((x) => ({ value: x.role, label: `${x.role} (${x.contacts})` }))),
        h('h3', null, t('contacts.groups')), groups.length ? checks('group', groups.map((g) => ({ value: g.id, label: `${g.name} (${g.members})` }))) : empty(t('contacts.no_groups')),
        h('h3', null, t('contacts.villages')), villages.length ? checks('village', villages.map((v) => ({ value: v.name, label: `${v.name} (${v.contacts})` }))) : empty('—'),
        tags.length ? h('h3', null, t('contacts.tags')) : null, tags.length ? checks('tag', tags.map((x) => ({ value: x, label: x }))) : null,
        field(t('compose.numbers'), numbers),
      ]),
      card(t('compose.message'), [
        field(t('compose.name'), name),
        field(t('compose.pick_template'), chooser),
        h('div', { class: 'chips', id: 'camp-chips', title: t('compose.fields_hint') }, [h('small', { class: 'muted' }, t('compose.fields') + '：'), ...FIELDS.map(insert)]),
        h('small', { class: 'muted', id: 'camp-chips-hint' }, t('compose.fields_hint')),
        field(t('compose.template'), tpl),
        counter,
        h('p', null, saveTemplate),
        h('label', { class: 'switch', id: 'camp-confirm-label' }, [confirmReq, ' ', t('compose.confirm_request')]),
        h('small', { class: 'muted' }, t('compose.confirm_request_hint')),
        field(t('compose.remind_after'), remind),
        h('label', { class: 'switch', id: 'camp-missed-call-label' }, [byCall, ' ', t('compose.missed_call_confirms')]),
        h('small', { class: 'muted' }, t('compose.missed_call_confirms_hint')),
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
