// SPDX-License-Identifier: Apache-2.0
// One campaign: progress with ETA, counts (confirmed / reminded for "reply 1" requests, sends
// whose status is unknown explained), response rate, pause/resume/cancel, recipients kept in
// step with the counters.
import { api, toast } from '../api.js';
import { h, clear, fmtTime, fmtDuration } from '../h.js';
import { t } from '../i18n.js';
import { card, progressBar, badge, statusBadge, table, setProgress, fmtEta } from '../ui.js';
import { session } from '../main.js';

function etaText(s) {
  return s === null || s === undefined ? '' : `${t('campaign.eta')}: ${fmtDuration(s)}`;
}

// A send whose status is unknown: a person decides (resend, or count it failed); never automatic.
function decide(r) {
  if (r.status !== 'uncertain' || !r.message_id || !session.user || session.user.role === 'viewer') return null;
  const go = (resend) => h('button', { type: 'button', class: resend ? 'primary' : null, onclick: async () => {
    try {
      await api('POST', `/messages/${r.message_id}/uncertain`, { resend });
      toast(t(resend ? 'campaign.resent' : 'campaign.given_up'));
    } catch (_) { /* toast shown */ }
  } }, t(resend ? 'campaign.resend' : 'campaign.give_up'));
  return h('span', { class: 'actions' }, [' ', go(true), ' ', go(false)]);
}

function recipientRows(c, recipients) {
  return recipients.slice(0, 500).map((r) => h('tr', { dataset: { mobile: r.mobile, status: r.status || '' } }, [
    h('td', null, r.name), h('td', null, r.mobile), h('td', null, r.village),
    h('td', { class: 'rcpt-status' }, [r.status ? statusBadge(r.status) : '—', decide(r)]),
    c.confirm_request ? h('td', { class: 'rcpt-confirmed' }, r.confirmed_at ? t('campaign.confirmed_yes')
      : (r.reminded_at ? t('campaign.count.reminded') : '—')) : null]));
}

// Why queued messages wait, when no SIM can take them (budgets spent, no device ready).
function waiting(c, modems) {
  const p = c.progress;
  if (c.status !== 'running' || !(p.queued > 0) || !modems) return null;
  const ready = modems.items.filter((m) => m.ready);
  if (!ready.length) return h('p', { class: 'error', id: 'camp-waiting' }, t('campaign.wait_no_modem'));
  const spent = ready.filter((m) => m.sim && m.sim.budget && m.sim.budget.exhausted);
  if (spent.length === ready.length) return h('p', { class: 'error', id: 'camp-waiting' }, t('campaign.wait_budget'));
  return null;
}

// Live progress moves the counters; the recipient rows follow (one reload at most every 2 s),
// so a row never says 排队中 while the counters say 已送达.
let rowsTimer = null;
function refreshRows(page) {
  if (rowsTimer) return;
  rowsTimer = setTimeout(async () => {
    rowsTimer = null;
    const id = page.dataset.campaign;
    try {
      const [c, r] = await Promise.all([api('GET', `/campaigns/${id}`, undefined, { background: true, quiet: true }),
        api('GET', `/campaigns/${id}/recipients`, undefined, { background: true, quiet: true })]);
      const body = page.querySelector('#camp-recipients tbody');
      if (body && document.body.contains(page)) clear(body).append(...recipientRows(c, r.items));
    } catch (_) { /* the next event retries */ }
  }, 2000);
}

export default {
  title: 'campaign.title',
  live: true,
  tick: true,
  async load(route, opts = {}) {
    const bg = { background: opts.background };
    const [c, r, m] = await Promise.all([api('GET', `/campaigns/${route.arg}`, undefined, bg), api('GET', `/campaigns/${route.arg}/recipients`, undefined, bg),
      api('GET', '/modems', undefined, { ...bg, quiet: true }).catch(() => null)]);
    return { c, recipients: r.items, modems: m };
  },
  // Progress events for this campaign update the bar, the counts, the ETA and the recipient
  // rows in place; a change of state (done, cancelled) or any other event reloads the page.
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
    if (eta) eta.textContent = etaText(ev.eta_seconds);
    refreshRows(page);
    return false;
  },
  render({ c, recipients, modems }) {
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
    const keys = ['queued', 'sending', 'sent', 'delivered', 'failed', 'uncertain', 'skipped', 'replied'];
    if (c.confirm_request) keys.push('confirmed', 'reminded');
    const remindHours = c.remind_after ? Math.round(c.remind_after / 3600) : 0;
    return h('div', { class: 'page campaign', dataset: { status: c.status, campaign: c.id } }, [
      card(c.name, [
        h('p', null, [badge(`st-${c.status}`, t(`campaign.status.${c.status}`)), ' ',
          c.scheduled_at ? `${t('compose.schedule')}: ${fmtTime(c.scheduled_at)}` : '']),
        h('div', { id: 'camp-progress' }, progressBar(p.percent, `${p.done}/${p.recipients}`)),
        h('p', { class: 'muted eta' }, etaText(c.eta_seconds)),
        c.confirm_request ? h('p', { id: 'camp-confirm-info' }, remindHours ? t('campaign.confirm_on', { hours: remindHours })
          : t('campaign.confirm_on_no_reminder')) : null,
        h('ul', { class: 'counts' }, keys.map((k) =>
          h('li', { id: `count-${k}` }, [h('span', null, t(`campaign.count.${k}`)), h('strong', { dataset: { count: k } }, String(p[k]))]))),
        p.uncertain ? h('p', { class: 'warn', id: 'camp-uncertain-help' }, t('campaign.uncertain_help')) : null,
        waiting(c, modems),
        h('p', null, `${t('campaign.response_rate')}: ${rate}%`),
        h('p', { class: 'template' }, c.template),
        h('div', { class: 'actions' }, actions),
      ]),
      card(t('campaign.recipients'), [
        h('p', null, h('a', { href: `/api/v1/campaigns/${c.id}/recipients?format=csv`, download: 'recipients.csv' }, t('inbox.export'))),
        h('div', { id: 'camp-recipients' }, table([t('contacts.name'), t('contacts.mobile'), t('contacts.village'), t('campaign.status_col'),
          c.confirm_request ? t('campaign.confirm_col') : null].filter(Boolean), recipientRows(c, recipients))),
      ]),
    ]);
  },
};
