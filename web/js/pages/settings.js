// SPDX-License-Identifier: Apache-2.0
// Settings: reply menu and automatic acknowledgements, anniversary greeting, time source,
// password, users and roles, API tokens, audit log, reports, backup and restore.
import { api, toast } from '../api.js';
import { h, clear, fmtTime } from '../h.js';
import { t } from '../i18n.js';
import { card, field, table } from '../ui.js';
import { session } from '../main.js';
import { actionLabel, describe } from './audit.js';

const reload = () => window.dispatchEvent(new HashChangeEvent('hashchange'));

// A checkbox with its label on one line.
function check(label, input) {
  return h('label', { class: 'field check' }, [input, h('span', null, label)]);
}

function wide(el) {
  el.classList.add('wide');
  return el;
}

// "system: system_agrees" → "系统时钟（与移动网络时间一致）" (firmware/app/src/clock_source.cpp describe()).
function clockSource(text) {
  const m = /^(?:network \((.*)\)|(\w+)): (\w+)(?:, (\d+) implausible)?/.exec(text || '');
  if (!m) return t('settings.clock_system');
  const known = (k) => (t(k) !== k ? t(k) : null);
  const source = m[1] !== undefined ? t('settings.clock.network', { n: m[1].split(',').filter(Boolean).length }) : (known(`settings.clock.${m[2]}`) || m[2]);
  const reason = known(`settings.clock.reason.${m[3]}`);
  const rejected = m[4] ? t('settings.clock.rejected', { n: m[4] }) : '';
  return `${source}${reason ? `（${reason}）` : ''}${rejected ? ` · ${rejected}` : ''}`;
}

function generalForm(s) {
  const office = h('input', { value: s.office_name || '', id: 's-office' });
  // Unset switches show what the appliance does without them: both are on by default
  // (messaging/inbox.cpp and messaging/greetings.cpp).
  const autoAck = h('input', { type: 'checkbox', id: 's-auto-ack', checked: s.auto_ack_enabled ?? true });
  const annOn = h('input', { type: 'checkbox', id: 's-ann-on', checked: s.anniversary_enabled ?? true });
  const annTpl = h('textarea', { rows: 3, id: 's-ann-template' }, s.anniversary_template || '');
  const annHour = h('input', { type: 'number', min: 0, max: 23, value: s.anniversary_hour ?? 9 });
  const time = h('select', null, ['network', 'browser', 'system'].map((v) => h('option', { value: v }, t(`settings.time.${v}`))));
  time.value = s.time_source || 'network';
  // Unset: the config file's "lte_sms_fallback" (off by default) applies; sent only when changed.
  const lte = h('input', { type: 'checkbox', id: 's-lte-fallback', checked: s.lte_sms_fallback ?? false });
  const lteWas = lte.checked;
  return h('form', { class: 'grid-form', onsubmit: async (e) => {
    e.preventDefault();
    await api('PUT', '/settings', { office_name: office.value, auto_ack_enabled: autoAck.checked, anniversary_enabled: annOn.checked,
      anniversary_template: annTpl.value, anniversary_hour: Number(annHour.value), time_source: time.value,
      ...(lte.checked !== lteWas ? { lte_sms_fallback: lte.checked } : {}) });
    toast(t('saved'));
  } }, [field(t('settings.office'), office), field(t('settings.anniversary_hour'), annHour), field(t('settings.time_source'), time),
    h('div', { class: 'wide check-row' }, [check(t('settings.auto_ack'), autoAck), check(t('settings.anniversary'), annOn), check(t('settings.lte_sms_fallback'), lte)]),
    wide(field(t('settings.anniversary_template'), annTpl, t('settings.anniversary_fields'))),
    h('button', { type: 'submit', class: 'primary', id: 's-save' }, t('save'))]);
}

function menuEditor(menu) {
  const row = (m) => {
    const zh = h('input', { value: m.label_zh }); const en = h('input', { value: m.label_en });
    const ack = h('input', { value: m.auto_ack, placeholder: t('settings.auto_ack_text') });
    const anon = h('input', { type: 'checkbox', checked: m.anonymous });
    const code = h('input', { value: m.code, size: 3, readonly: !!m.code || null, placeholder: m.code ? null : t('settings.code'), 'aria-label': t('settings.code') });
    zh.setAttribute('placeholder', t('settings.label_zh'));
    en.setAttribute('placeholder', t('settings.label_en'));
    return h('div', { class: 'menu-row', dataset: { code: m.code } }, [code, zh, en, h('div', { class: 'ack' }, ack),
      h('div', { class: 'flags' }, [h('label', null, [anon, ' ', t('settings.anonymous')]), h('span', null, [h('button', { type: 'button', class: 'link', onclick: async () => {
        if (!code.value) return;
        await api('PUT', `/menu/${encodeURIComponent(code.value)}`, { label_zh: zh.value, label_en: en.value, auto_ack: ack.value, anonymous: anon.checked, position: Number(code.value) || 0 });
        toast(t('saved')); reload();
      } }, m.code ? t('save') : t('settings.add_entry')), m.code ? h('button', { type: 'button', class: 'link danger', onclick: async () => { await api('DELETE', `/menu/${encodeURIComponent(m.code)}`); reload(); } }, t('delete')) : null])])]);
  };
  return h('div', { class: 'menu-rows', id: 'menu-rows' }, [
    h('div', { class: 'menu-head' }, [t('settings.code'), t('settings.label_zh'), t('settings.label_en'), t('settings.auto_ack_text'), ''].map((x) => h('span', null, x))),
    ...menu.map(row), row({ code: '', label_zh: '', label_en: '', auto_ack: '', anonymous: false })]);
}

// The officials on duty and the alert settings: read-only, they come from the config file ("alerts").
function dutyCard(a) {
  const rows = a.duty.map((m) => h('tr', null, [h('td', null, m.name), h('td', null, m.role), h('td', null, h('span', { class: 'nowrap' }, m.number))]));
  return [
    a.duty.length ? table([t('alerts.name'), t('alerts.role'), t('alerts.number')], rows) : h('p', { class: 'warn' }, t('alerts.no_duty')),
    h('p', { class: 'muted' }, [
      `${t('alerts.urgent_categories')}: ${a.urgent_categories.join('、') || '—'}`, ' · ',
      `${t('alerts.quiet_hours')}: ${a.quiet_hours || t('alerts.none_set')}`, ' · ',
      `${t('alerts.max_per_hour')}: ${a.max_per_hour || t('alerts.unlimited')}`, ' · ',
      `${t('alerts.digest_at')}: ${a.digest_at || t('alerts.none_set')}`,
    ]),
    h('p', { class: 'muted help' }, t('alerts.config_help')),
  ];
}

function passwordForm() {
  const old = h('input', { type: 'password', autocomplete: 'current-password' });
  const neu = h('input', { type: 'password', autocomplete: 'new-password', minlength: 8 });
  return h('form', { class: 'grid-form', onsubmit: async (e) => {
    e.preventDefault();
    await api('POST', '/auth/password', { old_password: old.value, new_password: neu.value });
    toast(t('saved')); old.value = ''; neu.value = '';
  } }, [field(t('settings.old_password'), old), field(t('settings.new_password'), neu), h('button', { type: 'submit' }, t('save'))]);
}

function usersCard(users) {
  const name = h('input', { placeholder: t('login.username') });
  const pass = h('input', { type: 'password', placeholder: t('login.password'), minlength: 8 });
  const role = h('select', null, ['operator', 'viewer', 'admin'].map((r) => h('option', { value: r }, t(`role.${r}`))));
  return [table([t('login.username'), t('settings.role'), t('settings.created'), ''], users.map((u) => {
    const sel = h('select', { onchange: async (e) => { await api('PUT', `/users/${u.id}`, { role: e.target.value }); toast(t('saved')); } },
      ['admin', 'operator', 'viewer'].map((r) => h('option', { value: r }, t(`role.${r}`))));
    sel.value = u.role;
    return h('tr', null, [h('td', null, u.username), h('td', null, sel), h('td', null, fmtTime(u.created_at)),
      h('td', null, u.id === session.user.id ? '' : h('button', { class: 'link danger', onclick: async () => { if (confirm(t('confirm_delete'))) { await api('DELETE', `/users/${u.id}`); reload(); } } }, t('delete')))]);
  })), h('form', { class: 'inline', onsubmit: async (e) => {
    e.preventDefault();
    await api('POST', '/users', { username: name.value, password: pass.value, role: role.value });
    reload();
  } }, [name, pass, role, h('button', { type: 'submit' }, t('settings.add_user'))])];
}

function tokensCard(tokens) {
  const name = h('input', { placeholder: t('settings.token_name') });
  const role = h('select', null, ['operator', 'viewer', 'admin'].map((r) => h('option', { value: r }, t(`role.${r}`))));
  const shown = h('div');
  return [table([t('settings.token_name'), t('settings.role'), t('settings.last_used'), ''], tokens.map((x) => h('tr', { class: x.revoked ? 'muted' : null }, [
    h('td', null, x.name), h('td', null, t(`role.${x.role}`)), h('td', null, fmtTime(x.last_used_at)),
    h('td', null, x.revoked ? t('settings.revoked') : h('button', { class: 'link danger', onclick: async () => { await api('DELETE', `/tokens/${x.id}`); reload(); } }, t('settings.revoke')))]))),
  h('form', { class: 'inline', onsubmit: async (e) => {
    e.preventDefault();
    const r = await api('POST', '/tokens', { name: name.value, role: role.value });
    clear(shown).appendChild(h('p', { class: 'warn' }, [t('settings.token_once'), ' ', h('code', { class: 'secret' }, r.token)]));
  } }, [name, role, h('button', { type: 'submit' }, t('settings.create_token'))]), shown];
}

function backupCard() {
  const file = h('input', { type: 'file', accept: '.db' });
  // The server names the file (cunxin-YYYYMMDD-HHMM.db, office time).
  return [h('p', null, [h('a', { class: 'button', href: '/api/v1/system/backup', download: true, id: 's-backup' }, t('settings.backup')), ' ',
    h('a', { class: 'button', id: 'support-bundle', href: '/api/v1/doctor', download: 'cunxin-support.json', title: t('settings.support_bundle_hint') }, t('settings.support_bundle')), ' ',
    h('small', { class: 'muted' }, t('settings.backup_name'))]),
    h('form', { class: 'inline', onsubmit: async (e) => {
      e.preventDefault();
      if (!file.files[0] || !confirm(t('settings.confirm_restore'))) return;
      try {
        await api('POST', '/system/restore', await file.files[0].arrayBuffer());
      } catch (_) {
        return;  // the reason (in Chinese) is already shown as a toast
      }
      toast(t('settings.restore_pending'));
    } }, [file, h('button', { type: 'submit', class: 'danger' }, t('settings.restore'))])];
}

function reportsCard() {
  return h('p', null, [h('a', { class: 'button', href: '#/reports', id: 's-reports' }, t('settings.open_reports')), ' ',
    h('small', { class: 'muted' }, t('settings.reports_hint'))]);
}

function auditCard(audit) {
  return [table([t('settings.when'), t('settings.who'), t('settings.what'), t('audit.about')], audit.map((a) =>
    h('tr', null, [h('td', null, fmtTime(a.at)), h('td', null, a.actor === 'anonymous' ? t('audit.anonymous_actor') : a.actor),
      h('td', { title: a.action }, actionLabel(a.action)), h('td', null, describe(a))]))),
  h('p', null, h('a', { href: '#/audit', id: 's-audit-all' }, t('settings.audit_all')))];
}

export default {
  title: 'nav.settings',
  async load() {
    const admin = session.user && session.user.role === 'admin';
    const s = await api('GET', '/settings');
    const alerts = session.user && session.user.role !== 'viewer' ? await api('GET', '/alerts?limit=1') : null;
    if (!admin) return { s, alerts };
    const [users, tokens, audit] = await Promise.all([api('GET', '/users'), api('GET', '/tokens'), api('GET', '/audit?limit=10')]);
    return { s, alerts, users: users.items, tokens: tokens.items, audit: audit.items };
  },
  render({ s, alerts, users, tokens, audit }) {
    const admin = session.user && session.user.role === 'admin';
    const source = ` · ${t('settings.clock_source')}: ${clockSource(s.settings.clock_source)}`;
    const browserTime = h('p', { class: 'muted' }, `${t('settings.server_time')}: ${fmtTime(s.server_time)}${source} · ${t('settings.browser_time')}: ${fmtTime(Math.floor(Date.now() / 1000))}`);
    return h('div', { class: 'page settings' }, [
      admin ? card(t('settings.general'), [generalForm(s.settings), browserTime]) : null,
      admin ? card(t('settings.menu'), [menuEditor(s.menu), h('p', { class: 'muted help', id: 'menu-anon-help' }, t('settings.anonymous_help'))]) : null,
      alerts ? card(t('alerts.duty_title'), dutyCard(alerts), { class: 'card', id: 's-duty' }) : null,
      card(t('settings.password'), passwordForm()),
      card(t('settings.reports'), reportsCard()),
      admin ? card(t('settings.users'), usersCard(users)) : null,
      admin ? card(t('settings.tokens'), tokensCard(tokens)) : null,
      admin ? card(t('settings.backup_restore'), backupCard()) : null,
      admin ? card(t('settings.audit'), auditCard(audit)) : null,
    ]);
  },
};
