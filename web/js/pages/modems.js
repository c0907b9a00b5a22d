// SPDX-License-Identifier: Apache-2.0
// Modems and SIMs: identity, signal, counters, limits and price, USSD balance, restart.
import { api, toast } from '../api.js';
import { h, fmtTime } from '../h.js';
import { t } from '../i18n.js';
import { card, field, signalBars, storageLine, empty, modemTitle, operatorName } from '../ui.js';
import { session } from '../main.js';

// Live refreshes re-render the page: an open SIM form stays open.
const opened = new Set();
function keepOpen(key, children) {
  const d = h('details', { open: opened.has(key), dataset: { key } }, children);
  d.addEventListener('toggle', () => { if (d.open) opened.add(key); else opened.delete(key); });
  return d;
}

const LIMITS = [['limit_per_minute', 'per_minute', 1000], ['limit_per_hour', 'per_hour', 100000], ['limit_per_day', 'per_day', 1000000]];
const MONEY = [['price_fen_per_segment', 10000], ['monthly_budget_segments', 100000000], ['monthly_budget_fen', 1e10]];

// A SIM's limits, price and budget. The form shows the limits in force (what the panel set, else
// the configured default); saving sends only the fields changed, so one field never resets the
// others; "不限" (no limit) is a checkbox of its own and needs a confirmation.
// The last USSD answer per modem: kept across the page's live refreshes.
const ussdAnswers = new Map();

function simForm(sim) {
  const force = sim.limits_in_force || {};
  const rows = [];
  const limits = LIMITS.map(([k, f, max]) => {
    const now = force[f] ?? sim[k] ?? 0;
    const input = h('input', { type: 'number', min: 1, max, name: k, value: now > 0 ? now : '', dataset: { inForce: now } });
    const none = h('input', { type: 'checkbox', name: `${k}_none`, checked: now === 0 });
    input.disabled = now === 0;
    none.addEventListener('change', () => { input.disabled = none.checked; if (!none.checked && !input.value) input.value = (sim.limits_default || {})[f] || ''; });
    const def = (sim.limits_default || {})[f];
    rows.push(h('div', { class: 'field limit', dataset: { limit: k } }, [
      h('span', null, t(`sim.${k}`)), input,
      h('label', { class: 'inline' }, [none, ' ', t('sim.set_no_limit')]),
      h('small', { class: 'muted' }, `${t('sim.in_force')}: ${now > 0 ? now : t('sim.no_limit')}${sim[k] === null && def !== undefined ? ' · ' + t('sim.default_value', { n: def > 0 ? def : t('sim.no_limit') }) : ''}`)]));
    return { k, f, input, none, was: now };
  });
  const money = MONEY.map(([k, max]) => {
    const input = h('input', { type: 'number', min: 0, max, name: k, value: sim[k] ?? 0 });
    rows.push(field(t(`sim.${k}`), input));
    return { k, input, was: sim[k] ?? 0 };
  });
  const b = sim.budget;
  const status = h('p', { class: b && b.exhausted ? 'error sim-budget' : 'muted sim-budget' },
    b ? (b.exhausted ? t('sim.budget_exhausted') : t('sim.budget_left', { used: b.used_segments })) : '');
  return h('form', { class: 'grid-form sim-form', dataset: { iccid: sim.iccid }, onsubmit: async (e) => {
    e.preventDefault();
    const body = {};
    const lifted = [];
    for (const l of limits) {
      if (l.none.checked) {
        if (l.was !== 0) { body[l.k] = 0; lifted.push(t(`sim.${l.k}`)); }
      } else if (l.input.value === '') {
        if (sim[l.k] !== null) body[l.k] = null;  // back to the configured default
      } else if (Number(l.input.value) !== l.was) {
        body[l.k] = Number(l.input.value);
      }
    }
    for (const m of money) if (Number(m.input.value || 0) !== m.was) body[m.k] = Number(m.input.value || 0);
    if (lifted.length) {
      if (!confirm(t('sim.confirm_no_limit', { fields: lifted.join('、') }))) return;
      body.no_limit_confirmed = true;
    }
    if (!Object.keys(body).length) { toast(t('saved')); return; }
    try {
      const r = await api('PUT', `/sims/${sim.iccid}`, body);
      const f = r.limits_in_force || {};
      const v = (n) => (n > 0 ? n : t('sim.no_limit'));
      toast(f.per_hour !== undefined ? t('sim.saved_limits', { m: v(f.per_minute), h: v(f.per_hour), d: v(f.per_day) }) : t('saved'));
    } catch (_) { /* toast shown */ }
  } }, [...rows, h('small', { class: 'muted' }, t('sim.limit_hint')), status, h('button', { type: 'submit' }, t('save'))]);
}

const techName = (v) => t(`modem.tech.${v || 'unknown'}`);
const imsName = (v) => t(v === true ? 'modem.ims.yes' : v === false ? 'modem.ims.no' : 'modem.ims.unknown');

// Carrier blocking and SMS over LTE: why this SIM sends nothing, and what the box did about it.
function carrierBlock(m, admin) {
  const out = [];
  if (m.pause) {
    out.push(h('div', { class: 'paused warn', id: `pause-${m.iccid}`, dataset: { iccid: m.iccid } }, [
      h('strong', null, t('modem.paused')),
      h('p', { class: 'pause-reason' }, m.pause.reason),
      h('p', { class: 'muted' }, t('modem.paused_since', { time: fmtTime(m.pause.at) })),
      h('p', { class: 'muted' }, t('modem.paused_hint')),
      admin ? h('button', { type: 'button', class: 'primary resume', onclick: async () => {
        if (!confirm(t('modem.confirm_resume'))) return;
        try {
          await api('POST', `/sims/${encodeURIComponent(m.iccid)}/resume`, {});
          toast(t('modem.resumed'));
          document.getElementById(`pause-${m.iccid}`)?.remove();
        } catch (_) { /* toast shown */ }
      } }, t('modem.resume')) : null]));
  }
  if (m.sms_refused_on_lte) out.push(h('p', { class: 'warn lte-refused' }, t('modem.lte_refused')));
  const r = m.lte_remedy;
  if (r) {
    out.push(h('p', { class: 'lte-remedy' }, [t('modem.lte_remedy', { time: fmtTime(r.at), commands: r.commands, tech: techName(r.technology) }), ' ',
      r.sent ? t('modem.lte_remedy_sent') : t('modem.lte_remedy_failed', { error: r.error || '' })]));
  }
  return out;
}

// Field checks (issue 14): a SIM's last self-test and its credit, in words.
function selftestLine(m) {
  const s = m.selftest;
  if (!s) return h('p', { class: 'muted selftest', dataset: { iccid: m.iccid } }, `${t('field.selftest')}：${t('field.selftest_none')}`);
  const result = s.ok ? t('field.selftest_ok') : t('field.selftest_failed');
  const text = s.seconds !== null ? t('field.selftest_line', { result, seconds: s.seconds, at: fmtTime(s.at) })
    : t('field.selftest_line_nosec', { result, at: fmtTime(s.at) });
  return h('p', { class: `selftest ${s.ok ? 'ok' : 'error'}`, dataset: { iccid: m.iccid, ok: String(s.ok) } },
    [text, !s.ok && s.detail ? h('br') : null, !s.ok && s.detail ? s.detail : null]);
}

function balanceLine(m, operator) {
  const parts = [h('strong', null, `${t('field.balance')}：`),
    h('span', { class: 'balance-value' }, m.balance !== null && m.balance !== undefined ? t('field.balance_value', { yuan: m.balance.toFixed(2) }) : t('field.balance_unknown'))];
  if (m.days_left !== null && m.days_left !== undefined) parts.push(' · ', t('field.balance_days', { days: m.days_left }));
  if (m.balance_at) parts.push(h('br'), h('small', { class: 'muted' }, t('field.balance_at', { at: fmtTime(m.balance_at) })));
  if (m.balance_raw && (m.balance === null || m.balance === undefined)) parts.push(h('br'), h('small', { class: 'warn' }, t('field.balance_unreadable', { raw: m.balance_raw })));
  const low = m.balance !== null && m.balance !== undefined && m.balance < 10;
  return h('div', { class: `balance ${low ? 'warn' : ''}`, dataset: { iccid: m.iccid } }, [h('p', null, parts),
    operator && m.iccid ? h('button', { type: 'button', class: 'balance-query', onclick: async () => {
      try {
        const r = await api('POST', `/modems/${encodeURIComponent(m.id)}/balance`, {});
        toast(r.method === 'ussd' ? (r.reply || '') : t('field.balance_sent', { to: r.to }));
      } catch (_) { /* toast shown */ }
    } }, t('field.balance_query')) : null]);
}

function selftestCard(operator) {
  return card(t('field.selftest'), [
    h('p', { class: 'muted' }, t('field.selftest_hint')),
    operator ? h('button', { type: 'button', id: 'selftest-run', onclick: async () => {
      try {
        await api('POST', '/selftest', {});
        toast(t('field.selftest_started'));
      } catch (_) { /* toast shown */ }
    } }, t('field.selftest_run')) : null,
  ], { class: 'card selftest-card' });
}

function systemCard(items) {
  return card(t('field.system_messages'), items.length
    ? h('ul', { class: 'system-messages' }, items.map((m) => h('li', null, [
      h('small', { class: 'muted' }, `${fmtTime(m.created_at)} ${m.direction === 'in' ? t('field.dir_in') : t('field.dir_out')} ${m.peer}`),
      h('br'), m.text])))
    : empty(t('field.system_none')), { class: 'card system-card' });
}

export default {
  title: 'nav.modems',
  live: true,
  load: async (route, opts = {}) => {
    const d = await api('GET', '/modems', undefined, { background: opts.background });
    // Admins also see the carriers' texts and the self-test texts (never in the inbox).
    if (session.user && session.user.role === 'admin') {
      d.system = (await api('GET', '/system-messages?limit=20', undefined, { background: opts.background })).items;
    }
    return d;
  },
  render(d) {
    const admin = session.user && session.user.role === 'admin';
    const operator = session.user && session.user.role !== 'viewer';
    const cards = d.items.map((m) => {
      const code = h('input', { value: '*100#', size: 8 });
      const answer = h('p', { class: 'ussd', id: `ussd-${m.id}` }, ussdAnswers.get(m.id) || '');
      return card(modemTitle(m), [
        h('div', { class: 'row' }, [signalBars(m.signal), h('span', null, m.signal !== null ? `${m.signal} dBm` : t('modem.no_signal')), h('span', { class: m.ready ? 'ok' : 'error' }, t(`modem.state.${m.state}`))]),
        h('dl', null, [['port', m.port], ['model', `${m.manufacturer} ${m.model}`], ['imei', m.imei], ['iccid', m.iccid], ['imsi', m.imsi], ['own_number', m.own_number],
          ['access_technology', techName(m.access_technology)], ['ims', imsName(m.ims)],
          ['queue', m.queue], ['sent_today', `${m.sent_today}${m.limit_per_day ? ' / ' + m.limit_per_day : ''}`]].map(([k, v]) => [h('dt', null, t(`modem.${k}`)), h('dd', null, String(v ?? ''))])),
        storageLine(m, 'p'),
        ...carrierBlock(m, admin),
        selftestLine(m),
        balanceLine(m, operator),
        m.error ? h('p', { class: 'error' }, m.error) : null,
        operator ? h('form', { class: 'inline', onsubmit: async (e) => {
          e.preventDefault();
          answer.textContent = '…';
          try {
            const r = await api('POST', `/modems/${encodeURIComponent(m.id)}/ussd`, { code: code.value });
            ussdAnswers.set(m.id, r.reply);
            // A live refresh may have replaced this card meanwhile: write into the one on the page.
            const shown = document.getElementById(`ussd-${m.id}`) || answer;
            shown.textContent = r.reply;
          } catch (_) { answer.textContent = ussdAnswers.get(m.id) || ''; }
        } }, [code, h('button', { type: 'submit' }, t('modem.ussd'))]) : null,
        answer,
        admin ? h('button', { class: 'danger', onclick: async () => { if (confirm(t('modem.confirm_restart'))) { await api('POST', `/modems/${encodeURIComponent(m.id)}/restart`, {}); toast(t('modem.restarting')); } } }, t('modem.restart')) : null,
        admin && m.sim ? keepOpen(`m-${m.sim.iccid}`, [h('summary', null, t('sim.settings')), simForm(m.sim)]) : null,
      ], { class: `card modem ${m.ready ? 'ok' : 'bad'}` });
    });
    return h('div', { class: 'page modems' }, [selftestCard(operator), cards.length ? h('div', { class: 'grid' }, cards) : empty(t('modem.none')),
      d.system ? systemCard(d.system) : null,
      admin && d.sims.length ? card(t('sim.all'), d.sims.map((s) => keepOpen(`s-${s.iccid}`, [h('summary', null, `${operatorName(s.operator, s.carrier)} ${s.iccid}`), simForm(s)]))) : null]);
  },
};
