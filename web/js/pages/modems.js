// SPDX-License-Identifier: Apache-2.0
// Modems and SIMs: identity, signal, counters, limits and price, USSD balance, restart.
import { api, toast } from '../api.js';
import { h } from '../h.js';
import { t } from '../i18n.js';
import { card, field, signalBars, storageLine, empty, modemTitle, operatorName } from '../ui.js';
import { session } from '../main.js';

// The last USSD answer per modem: kept across the page's live refreshes.
const ussdAnswers = new Map();

function simForm(sim) {
  const num = (k, max) => h('input', { type: 'number', min: 0, max, value: sim[k], name: k });
  const inputs = { limit_per_minute: num('limit_per_minute', 1000), limit_per_hour: num('limit_per_hour', 100000),
    limit_per_day: num('limit_per_day', 1000000), price_fen_per_segment: num('price_fen_per_segment', 10000),
    monthly_budget_fen: num('monthly_budget_fen', 1e10) };
  return h('form', { class: 'grid-form', onsubmit: async (e) => {
    e.preventDefault();
    const body = {};
    for (const [k, el] of Object.entries(inputs)) body[k] = Number(el.value || 0);
    await api('PUT', `/sims/${sim.iccid}`, body);
    toast(t('saved'));
  } }, [...Object.entries(inputs).map(([k, el]) => field(t(`sim.${k}`), el)), h('button', { type: 'submit' }, t('save'))]);
}

export default {
  title: 'nav.modems',
  live: true,
  load: (route, opts = {}) => api('GET', '/modems', undefined, { background: opts.background }),
  render(d) {
    const admin = session.user && session.user.role === 'admin';
    const operator = session.user && session.user.role !== 'viewer';
    const cards = d.items.map((m) => {
      const code = h('input', { value: '*100#', size: 8 });
      const answer = h('p', { class: 'ussd', id: `ussd-${m.id}` }, ussdAnswers.get(m.id) || '');
      return card(modemTitle(m), [
        h('div', { class: 'row' }, [signalBars(m.signal), h('span', null, m.signal !== null ? `${m.signal} dBm` : t('modem.no_signal')), h('span', { class: m.ready ? 'ok' : 'error' }, t(`modem.state.${m.state}`))]),
        h('dl', null, [['port', m.port], ['model', `${m.manufacturer} ${m.model}`], ['imei', m.imei], ['iccid', m.iccid], ['imsi', m.imsi], ['own_number', m.own_number],
          ['queue', m.queue], ['sent_today', `${m.sent_today}${m.limit_per_day ? ' / ' + m.limit_per_day : ''}`]].map(([k, v]) => [h('dt', null, t(`modem.${k}`)), h('dd', null, String(v ?? ''))])),
        storageLine(m, 'p'),
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
        admin && m.sim ? h('details', null, [h('summary', null, t('sim.settings')), simForm(m.sim)]) : null,
      ], { class: `card modem ${m.ready ? 'ok' : 'bad'}` });
    });
    return h('div', { class: 'page modems' }, [cards.length ? h('div', { class: 'grid' }, cards) : empty(t('modem.none')),
      admin && d.sims.length ? card(t('sim.all'), d.sims.map((s) => h('details', null, [h('summary', null, `${operatorName(s.operator, s.carrier)} ${s.iccid}`), simForm(s)]))) : null]);
  },
};
