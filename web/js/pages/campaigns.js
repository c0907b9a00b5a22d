// SPDX-License-Identifier: Apache-2.0
// Campaigns with live progress and ETA, and the coming week's Party-anniversary greetings
// (what the daily job will send, today first).
import { api } from '../api.js';
import { h, fmtTime, fmtDuration } from '../h.js';
import { t } from '../i18n.js';
import { canAct } from '../main.js';
import { card, progressBar, badge, empty, applyCampaignEvent } from '../ui.js';

const etaText = (s) => (s === null || s === undefined ? '' : `${t('campaign.eta')}: ${fmtDuration(s)}`);

function greetingsCard(g) {
  if (!g) return null;
  const days = g.days.map((d) => h('li', { class: 'greeting-day', dataset: { date: d.date, count: d.items.length } }, [
    h('strong', null, d.offset_days === 0 ? `${t('greetings.today')} ${d.date}` : d.date), ' ',
    d.items.length ? h('ul', { class: 'plain' }, d.items.map((x) => h('li', { class: 'greeting' }, [
      h('span', null, `${x.name} · ${t('greetings.years', { n: x.years })} · `),
      h('small', { class: x.already_sent ? 'ok' : 'muted' }, x.already_sent ? t('greetings.sent') : t('greetings.pending')),
      h('p', { class: 'text muted' }, x.text)]))) : h('small', { class: 'muted' }, t('greetings.none')),
  ]));
  return card(t('greetings.title'), [
    h('p', { class: g.enabled ? 'muted' : 'warn' }, g.enabled ? t('greetings.hint', { hour: g.hour }) : t('greetings.disabled')),
    h('ul', { class: 'plain', id: 'greetings' }, days)], { id: 'greetings-card' });
}

export default {
  title: 'nav.campaigns',
  live: true,
  tick: true,
  async load(route, opts = {}) {
    const bg = { background: opts.background };
    const [list, greetings] = await Promise.all([api('GET', '/campaigns', undefined, bg),
      api('GET', '/greetings/upcoming?days=7', undefined, { ...bg, quiet: true }).catch(() => null)]);
    return { ...list, greetings };
  },
  // Progress events move the bars in place; anything else reloads the list.
  onEvent(name, data) {
    if (name === 'modems') return false;
    if (name === 'campaign' && applyCampaignEvent(document.getElementById('main'), data, etaText)) return false;
    return true;
  },
  render(d) {
    const rows = d.items.map((c) => h('li', { class: 'camp', dataset: { campaign: c.id, status: c.status } }, [
      h('div', { class: 'row' }, [h('a', { href: `#/campaign/${c.id}` }, c.name), badge(`st-${c.status}`, t(`campaign.status.${c.status}`)),
        h('small', { class: 'muted' }, fmtTime(c.created_at))]),
      progressBar(c.progress.percent, `${c.progress.done}/${c.progress.recipients}`),
      c.confirm_request ? h('small', { class: 'muted' }, `${t('campaign.count.confirmed')} ${c.progress.confirmed}/${c.progress.sent + c.progress.delivered}`) : null,
      h('small', { class: 'muted eta' }, c.status === 'running' ? etaText(c.eta_seconds) : ''),
    ]));
    return h('div', { class: 'page' }, [card(t('nav.campaigns'), [
      h('p', null, [canAct() ? h('a', { class: 'button primary', href: '#/compose' }, t('nav.compose')) : null, ' ',
        h('a', { class: 'button', href: '#/templates' }, t('nav.templates'))]),
      rows.length ? h('ul', { class: 'plain' }, rows) : empty(t('dash.no_campaigns'))]),
    greetingsCard(d.greetings)]);
  },
};
