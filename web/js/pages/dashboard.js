// SPDX-License-Identifier: Apache-2.0
// Dashboard: modem/SIM cards, today's replies by category, campaigns in progress, 14-day chart.
import { api } from '../api.js';
import { h, svg, fmtTime } from '../h.js';
import { t, lang } from '../i18n.js';
import { card, progressBar, signalBars, storageLine, badge, empty, applyCampaignEvent, modemTitle, fmtEta } from '../ui.js';
import { session } from '../main.js';

function chart(days) {
  const W = 360; const H = 140; const pad = 22;
  const max = Math.max(1, ...days.map((d) => Math.max(d.in, d.out)));
  const bw = (W - pad) / days.length;
  const parts = [];
  days.forEach((d, i) => {
    const x = pad + i * bw;
    const hi = ((H - 30) * d.in) / max;
    const ho = ((H - 30) * d.out) / max;
    parts.push(svg('rect', { x: x + 1, y: H - 18 - ho, width: bw / 2 - 1, height: ho, class: 'out' }, [svg('title', {}, `${d.day} ${t('dash.sent')} ${d.out}`)]));
    parts.push(svg('rect', { x: x + bw / 2, y: H - 18 - hi, width: bw / 2 - 1, height: hi, class: 'in' }, [svg('title', {}, `${d.day} ${t('dash.received')} ${d.in}`)]));
    // Every third day, counted back from today (always labelled; no two labels side by side).
    if ((days.length - 1 - i) % 3 === 0) {
      const last = i === days.length - 1;  // ends at the right edge instead of running over it
      parts.push(svg('text', { x: last ? x + bw : x + bw / 2, y: H - 4, class: 'axis', 'text-anchor': last ? 'end' : 'middle' }, d.day.slice(5)));
    }
  });
  parts.push(svg('text', { x: 0, y: 12, class: 'axis' }, String(max)));
  return h('figure', { class: 'chart' }, [
    svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': t('dash.chart') }, parts),
    h('figcaption', null, [badge('legend out', t('dash.sent')), ' ', badge('legend in', t('dash.received'))]),
  ]);
}

export function modemCard(m) {
  return h('div', { class: `modem ${m.ready ? 'ok' : 'bad'}` }, [
    h('div', { class: 'row' }, [h('strong', null, modemTitle(m)), signalBars(m.signal)]),
    h('div', { class: 'muted' }, t(`modem.state.${m.state}`)),
    h('div', null, `${t('modem.registered')}: ${m.registered ? t('yes') : t('no')}`),
    h('div', null, `${t('modem.queue')}: ${m.queue}`),
    h('div', null, `${t('modem.sent_today')}: ${m.sent_today}${m.limit_per_day ? ' / ' + m.limit_per_day : ''}`),
    storageLine(m),
    m.error ? h('div', { class: 'error' }, m.error) : null,
  ]);
}

// A SIM on one line (phone): carrier, signal, state, sent today.
function modemLine(m) {
  return h('li', { class: m.ready ? 'ok' : 'bad' }, [
    h('span', { class: 'name' }, modemTitle(m)), signalBars(m.signal),
    h('span', { class: 'state' }, t(`modem.state.${m.state}`)),
    h('span', { class: 'sent' }, `${t('modem.sent_today')} ${m.sent_today}${m.limit_per_day ? ' / ' + m.limit_per_day : ''}`),
    m.error ? h('span', { class: 'error' }, m.error) : null,
  ]);
}

// The recent alerts (text as texted; who got it, or why it waits).
function alertsCard(a) {
  const sendLine = (s) => h('li', { class: `alert-send st-${s.state}` }, [
    h('span', null, s.name || s.number), ' ',
    badge(`st-${s.state}`, t(`alerts.state.${s.state}`)),
    s.reason ? h('small', { class: 'muted' }, ` ${t(`alerts.reason.${s.reason}`)}`) : null,
  ]);
  const items = a.alerts.length
    ? h('ul', { class: 'alerts' }, a.alerts.map((x) => h('li', { class: 'alert', dataset: { kind: x.kind } }, [
      h('div', { class: 'row' }, [badge(`alert-${x.kind}`, t(`alerts.kind.${x.kind}`)), h('small', { class: 'muted' }, x.local_time)]),
      h('div', { class: 'alert-text' }, x.text),
      x.sends.length ? h('ul', { class: 'alert-sends' }, x.sends.map(sendLine)) : null,
    ])))
    : empty(t('alerts.none'));
  const foot = a.duty.length
    ? h('p', { class: 'muted' }, `${t('alerts.duty')}: ${a.duty.map((m) => m.name).join('、')}${a.waiting ? ' · ' + t('alerts.waiting', { n: a.waiting }) : ''}`)
    : h('p', { class: 'warn' }, t('alerts.no_duty'));
  return card(t('alerts.title'), [items, foot], { class: 'card dash-alerts', id: 'dash-alerts' });
}

// One line: every SIM passed its last self-test, or how many did not (links to the modem page).
function selftestSummary(list) {
  const failed = list.filter((s) => !s.ok).length;
  const at = Math.max(...list.map((s) => s.at));
  return h('p', { class: failed ? 'error' : 'ok', id: 'dash-selftest' }, h('a', { href: '#/modems' },
    failed ? t('field.selftest_some_failed', { n: failed }) : t('field.selftest_all_ok', { at: fmtTime(at) })));
}

export default {
  title: 'nav.dashboard',
  live: true,
  tick: true,
  load: async (route, opts = {}) => {
    const d = await api('GET', '/dashboard', undefined, { background: opts.background });
    // Admins also see how many PDUs sit in the quarantine.
    if (session.user && session.user.role === 'admin') {
      const q = await api('GET', '/quarantine?limit=1', undefined, { background: opts.background });
      d.quarantined = q.count;
    }
    // Operators and admins see the recent alerts texted to the officials on duty.
    if (session.user && session.user.role !== 'viewer') {
      d.alerts = await api('GET', '/alerts?limit=5', undefined, { background: opts.background });
    }
    // The SIMs' last self-test (issue 14), from the health endpoint.
    const health = await api('GET', '/health', undefined, { background: opts.background });
    d.selftest = health.selftest || [];
    return d;
  },
  // Campaign progress moves the bars in place; a campaign that starts or ends reloads.
  onEvent(name, data) {
    if (name === 'alert') return true;
    if (name === 'campaign' && applyCampaignEvent(document.getElementById('main'), data, (s) => `${t('campaign.eta')}: ${fmtEta(s)}`)) return false;
    return true;
  },
  render(d) {
    // Cards on a desktop; one line per SIM on a phone (app.css), so today's replies stay on the first screen.
    const modems = d.modems.length ? [h('div', { class: 'grid' }, d.modems.map(modemCard)), h('ul', { class: 'modem-lines' }, d.modems.map(modemLine))]
      : empty(t('modem.none'));
    const ready = d.modems.filter((m) => m.ready).length;
    const total = d.replies_today.reduce((a, c) => a + c.count, 0);
    const cats = d.replies_today.length
      ? h('ul', { class: 'cats' }, d.replies_today.map((c) => h('li', null, [
        h('a', { href: `#/inbox?category=${encodeURIComponent(c.code)}` }, c.code ? `${c.code} ${lang === 'en' ? (c.label_en || c.label_zh) : c.label_zh}` : t('inbox.uncategorised')),
        h('strong', null, String(c.count)),
      ])))
      : empty(t('dash.no_replies'));
    const camps = d.campaigns.length
      ? d.campaigns.map((c) => h('div', { class: 'camp', dataset: { campaign: c.id, status: c.status } }, [
        h('a', { href: `#/campaign/${c.id}` }, c.name), ' ', badge(`st-${c.status}`, t(`campaign.status.${c.status}`)),
        progressBar(c.progress.percent, `${c.progress.done}/${c.progress.recipients}`),
        h('small', { class: 'muted eta' }, c.eta_seconds !== null ? `${t('campaign.eta')}: ${fmtEta(c.eta_seconds)}` : ''),
      ]))
      : empty(t('dash.no_campaigns'));
    return h('div', { class: 'page dashboard' }, [
      card(`${t('dash.replies_today')} (${total})`, [cats, h('p', null, h('a', { href: '#/inbox?status=new' }, `${t('dash.new_replies')}: ${d.new_replies}`))], { class: 'card dash-replies', id: 'dash-replies' }),
      d.alerts ? alertsCard(d.alerts) : null,
      card(t('dash.campaigns'), camps, { class: 'card dash-campaigns' }),
      card(`${t('dash.modems')} (${t('dash.ready_of', { ready, total: d.modems.length })})`, modems, { class: 'card dash-modems', id: 'dash-modems' }),
      d.selftest && d.selftest.length ? selftestSummary(d.selftest) : null,
      card(t('dash.chart'), chart(d.days)),
      h('p', { class: 'muted' }, `${t('dash.queue')}: ${d.queued_segments}`),
      d.quarantined !== undefined
        ? h('p', { class: d.quarantined ? 'warn' : 'muted' }, h('a', { href: '#/quarantine', id: 'dash-quarantine' }, `${t('dash.quarantined')}: ${d.quarantined}`))
        : null,
    ]);
  },
};
