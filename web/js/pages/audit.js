// SPDX-License-Identifier: Apache-2.0
// Audit log (admins): who did what and when, in words, 50 lines a page, filtered by user,
// kind of action and office days. Filters and the page live in the address (#/audit?…).
import { api } from '../api.js';
import { h, fmtTime } from '../h.js';
import { t } from '../i18n.js';
import { card, field, table, empty, people } from '../ui.js';

const PAGE = 50;
// Kinds offered in the filter: a prefix ending in '.' takes every action of that kind.
const KINDS = ['auth.', 'message.', 'campaign.', 'contact.', 'group.', 'settings.', 'menu.', 'sim.', 'modem.', 'user.', 'token.', 'system.'];

const known = (key) => t(key) !== key;

export function actionLabel(action) {
  return known(`audit.action.${action}`) ? t(`audit.action.${action}`) : t('audit.action.other');
}

// Setting and SIM field names that settings.update / sim.update record (their JSON body).
const FIELDS = {
  office_name: 'settings.office', auto_ack_enabled: 'settings.auto_ack', anniversary_enabled: 'settings.anniversary',
  anniversary_template: 'settings.anniversary_template', anniversary_hour: 'settings.anniversary_hour',
  time_source: 'settings.time_source', opt_out_keywords: 'settings.opt_out_keywords',
  large_broadcast_threshold: 'settings.large_broadcast_threshold', language: 'settings.language',
  limit_per_minute: 'sim.limit_per_minute', limit_per_hour: 'sim.limit_per_hour', limit_per_day: 'sim.limit_per_day',
  price_fen_per_segment: 'sim.price_fen_per_segment', monthly_budget_fen: 'sim.monthly_budget_fen',
};

function fieldNames(text) {
  let o = null;
  try { o = JSON.parse(text); } catch (_) { return ''; }
  if (!o || typeof o !== 'object') return '';
  return Object.keys(o).map((k) => (FIELDS[k] && known(FIELDS[k]) ? t(FIELDS[k]) : t('audit.field_other'))).join('、');
}

// What the line was about, in words: "3 人", "已办结", "单位名称、自动回复确认", …
export function describe(a) {
  const d = typeof a.detail === 'object' && a.detail ? a.detail : { target: '', detail: String(a.detail || '') };
  const target = d.target || '';
  const detail = d.detail || '';
  let m;
  switch (a.action) {
    case 'message.send':
      m = /^(\d+)/.exec(target);
      return [m ? people(Number(m[1])) : target, detail].filter(Boolean).join(' · ');
    case 'contact.import':
      m = /^(\d+)/.exec(target);
      return m ? t('audit.rows', { n: m[1] }) : target;
    case 'message.status':
      return `#${target} → ${known(`status.${detail}`) ? t(`status.${detail}`) : detail}`;
    case 'message.assign':
      return `#${target} → ${detail === 'none' ? t('thread.unassigned') : t('audit.user_id', { id: detail })}`;
    case 'message.note': case 'message.resend': case 'message.give_up': case 'message.reply':
      return [`#${target}`, detail].filter(Boolean).join(' · ');
    case 'settings.update': case 'sim.update':
      return [a.action === 'sim.update' ? target : '', fieldNames(detail)].filter(Boolean).join(' · ');
    case 'user.create': case 'user.update': case 'token.create':
      return [target, known(`role.${detail}`) ? t(`role.${detail}`) : detail].filter(Boolean).join(' · ');
    case 'group.members':
      m = /^\+(\d+) -(\d+)$/.exec(detail);
      return m ? t('audit.members', { id: target, add: m[1], remove: m[2] }) : target;
    case 'user.setup': case 'auth.login': case 'auth.login_failed': case 'user.password': case 'user.delete':
      return target;
    case 'system.backup':
      return t('audit.database');
    case 'system.restore':
      m = /^(\d+)/.exec(detail);
      return m ? t('audit.bytes', { n: Math.round(Number(m[1]) / 1024) }) : t('audit.database');
    default:
      return [target, detail].filter(Boolean).join(' · ');
  }
}

function query(route, extra = {}) {
  const q = new URLSearchParams();
  for (const k of ['actor', 'action', 'start', 'end', 'before']) {
    const v = k in extra ? extra[k] : route.query.get(k);
    if (v) q.set(k, v);
  }
  return q;
}

export default {
  title: 'nav.audit',
  async load(route) {
    const q = query(route);
    const api_q = new URLSearchParams({ limit: String(PAGE) });
    for (const k of ['actor', 'action', 'start', 'end']) if (q.get(k)) api_q.set(k, q.get(k));
    if (q.get('before')) api_q.set('cursor', q.get('before'));
    return api('GET', `/audit?${api_q}`);
  },
  render(d, route) {
    const actor = h('select', { id: 'audit-actor' }, [h('option', { value: '' }, t('audit.all_users')),
      ...d.actors.map((x) => h('option', { value: x }, x === 'anonymous' ? t('audit.anonymous_actor') : x))]);
    actor.value = route.query.get('actor') || '';
    const action = h('select', { id: 'audit-action' }, [h('option', { value: '' }, t('audit.all_actions')),
      ...KINDS.map((k) => h('option', { value: k }, t(`audit.kind.${k.slice(0, -1)}`)))]);
    action.value = route.query.get('action') || '';
    const start = h('input', { type: 'date', id: 'audit-start', value: route.query.get('start') || '' });
    const end = h('input', { type: 'date', id: 'audit-end', value: route.query.get('end') || '' });
    const go = (before) => {
      const q = query(route, { actor: actor.value, action: action.value, start: start.value, end: end.value, before });
      location.hash = `#/audit?${q}`;
    };
    const filters = h('form', { class: 'audit-filters', onsubmit: (e) => { e.preventDefault(); go(''); } }, [
      field(t('settings.who'), actor), field(t('settings.what'), action), field(t('report.from'), start), field(t('report.to'), end),
      h('button', { type: 'submit', class: 'primary', id: 'audit-apply' }, t('report.apply'))]);
    const rows = d.items.map((a) => h('tr', { dataset: { id: a.id, action: a.action } }, [
      h('td', null, fmtTime(a.at)), h('td', null, a.actor === 'anonymous' ? t('audit.anonymous_actor') : a.actor),
      h('td', { title: a.action }, actionLabel(a.action)),
      h('td', null, [describe(a), a.detail && a.detail.address ? h('small', { class: 'muted' }, ` · ${a.detail.address}`) : null])]));
    const paged = !!route.query.get('before');
    return h('div', { class: 'page audit' }, card(t('settings.audit'), [
      filters,
      d.items.length ? table([t('settings.when'), t('settings.who'), t('settings.what'), t('audit.about')], rows) : empty(t('audit.empty')),
      h('div', { class: 'pager' }, [
        paged ? h('button', { type: 'button', id: 'audit-first', onclick: () => go('') }, t('audit.newest')) : h('span'),
        d.next_cursor ? h('button', { type: 'button', id: 'audit-older', onclick: () => go(String(d.next_cursor)) }, t('audit.older')) : null]),
    ]));
  },
};
