// SPDX-License-Identifier: Apache-2.0
// One campaign: progress with ETA, counts, response rate, pause/resume/cancel, recipients.
import { api, toast } from '../api.js';
import { h, fmtTime } from '../h.js';
import { t } from '../i18n.js';
import { card, progressBar, badge, statusBadge, table, setProgress, fmtEta } from '../ui.js';
import { session } from '../main.js';

export default {
  title: 'campaign.title',
  live: true,
  tick: true,
  async load(route, opts = {}) {
    const bg = { background: opts.background };
    const [c, r] = await Promise.all([api('GET', `/campaigns/${route.arg}`, undefined, bg), api('GET', `/campaigns/${route.arg}/recipients`, undefined, bg)]);
    return { c, recipients: r.items };
  },
  // Progress events for this campaign update the bar, the counts and the ETA in place; a change
  // of state (done, cancelled) or any other event reloads the page (recipients, buttons).
  onEvent(name, ev) {
    if (name === 'modems') return false;  // nothing on this page shows modems
    if (name !== 'campaign') return true;
    const page = document.querySelector('#main .page.campaign');
    if (!page || !ev || !ev.progress || Number(page.dataset.campaign) !== ev.id) return false;
    if (page.dataset.status !== ev.status) return true;
    const p = ev.progress;
    setProgress(page.querySelector('#camp-progress .progress'), p.percent, `${p.done}/${p.recipients}`);
    for (const el of page.querySelectorAll('[data-count]')) {
      if (p[el.dataset.count] !== undefined) el.textContent = String(p[el.dataset.count]);
    }
    const eta = page.querySelector('.eta');
    if (eta) eta.textContent = ev.eta_seconds === null || ev.eta_seconds === undefined ? '' : `${t('campaign.eta')}: ${fmtEta(ev.eta_seconds)}`;
    return false;
  },
  render({ c, recipients }) {
    const p = c.progress;
    const act = (verb) => h('button', { id: `camp-${verb}`, onclick: async () => {
      if (verb === 'cancel' && !confirm(t('campaign.confirm_cancel'))) return;
      await api('POST', `/campaigns/${c.id}/${verb}`, {});
      toast(t(`campaign.${verb}`));
    } }, t(`campaign.${verb}`));
    const actions = [];
    if (session.user && session.user.role !== 'viewer') {
      if (c.status === 'draft' || c.status === 'scheduled') actions.push(act('launch'));
      if (c.status === 'running') actions.push(act('pause'));
      if (c.status === 'paused') actions.push(act('resume'));
      if (!['done', 'cancelled'].includes(c.status)) actions.push(act('cancel'));
    }
    const sent = p.sent + p.delivered;
    const rate = sent ? Math.round((100 * p.replied) / sent) : 0;
    return h('div', { class: 'page campaign', dataset: { status: c.status, campaign: c.id } }, [
      card(c.name, [
        h('p', null, [badge(`st-${c.status}`, t(`campaign.status.${c.status}`)), ' ',
          c.scheduled_at ? `${t('compose.schedule')}: ${fmtTime(c.scheduled_at)}` : '']),
        h('div', { id: 'camp-progress' }, progressBar(p.percent, `${p.done}/${p.recipients}`)),
        h('p', { class: 'muted eta' }, c.eta_seconds !== null ? `${t('campaign.eta')}: ${fmtEta(c.eta_seconds)}` : ''),
        h('ul', { class: 'counts' }, ['queued', 'sending', 'sent', 'delivered', 'failed', 'uncertain', 'skipped', 'replied'].map((k) =>
          h('li', null, [h('span', null, t(`campaign.count.${k}`)), h('strong', { dataset: { count: k } }, String(p[k]))]))),
        h('p', null, `${t('campaign.response_rate')}: ${rate}%`),
        h('p', { class: 'template' }, c.template),
        h('div', { class: 'actions' }, actions),
      ]),
      card(t('campaign.recipients'), [
        h('p', null, h('a', { href: `/api/v1/campaigns/${c.id}/recipients?format=csv`, download: 'recipients.csv' }, t('inbox.export'))),
        table([t('contacts.name'), t('contacts.mobile'), t('contacts.village'), t('campaign.status_col')],
          recipients.slice(0, 500).map((r) => h('tr', null, [h('td', null, r.name), h('td', null, r.mobile), h('td', null, r.village),
            h('td', null, r.status ? statusBadge(r.status) : '—')]))),
      ]),
    ]);
  },
};
