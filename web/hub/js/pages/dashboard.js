// SPDX-License-Identifier: Apache-2.0
// County overview: which townships are online, the latest notices' progress, replies by category.
import { api } from '../../../js/api.js';
import { h, fmtTime } from '../../../js/h.js';
import { t } from '../../../js/i18n.js';
import { card, progressBar, empty } from '../../../js/ui.js';
import { items, loadBoxes, boxNames, counts, total, categoryLabel, countTable, ago, forDisplay } from '../county.js';
import { summaryPairs } from './replies.js';
import { canAct } from '../main.js';

export default {
  title: 'hub.nav.dashboard',
  tick: true,
  async load(route, opts = {}) {
    const bg = { background: opts.background };
    const [boxes, notices, summary] = await Promise.all([loadBoxes(opts),
      api('GET', '/county/notices', undefined, bg).then((r) => items(r, 'notices')),
      api('GET', '/county/summary', undefined, { ...bg, quiet: true }).catch(() => null)]);
    return { boxes, notices, summary };
  },
  render({ boxes, notices, summary }) {
    const name = boxNames(boxes);
    const online = boxes.filter((b) => b.online);
    const offline = boxes.filter((b) => !b.online);
    const boxCard = card(t('hub.dash.boxes'), [
      h('p', { class: 'big', id: 'dash-online' }, t('hub.dash.online', { n: online.length, total: boxes.length })),
      offline.length ? h('ul', { class: 'plain', id: 'dash-offline' }, offline.map((b) => h('li', null, [
        h('strong', null, name(b.id)), ' ', h('small', { class: 'error' }, `${t('hub.box.offline')} · ${t('hub.box.last_seen')} ${ago(b.last_seen)}`)])))
        : (boxes.length ? h('p', { class: 'ok' }, t('hub.dash.all_online')) : empty(t('hub.boxes.none'))),
      h('p', null, h('a', { href: '#/boxes' }, t('hub.dash.to_boxes'))),
    ], { id: 'dash-boxes' });
    const latest = notices.slice(0, 5).map((n) => {
      const c = counts(n.progress || n.totals || (Array.isArray(n.boxes) && n.boxes.length && typeof n.boxes[0] === 'object' ? total(n.boxes) : n));
      return h('li', { class: 'notice', dataset: { notice: n.id } }, [
        h('div', { class: 'row' }, [h('a', { href: `#/notice/${encodeURIComponent(n.id)}`, class: 'notice-text' }, forDisplay(n.text) || String(n.id)),
          h('small', { class: 'muted' }, fmtTime(n.created_at || n.at))]),
        progressBar(c.percent, `${c.done}/${c.recipients}`)]);
    });
    const noticeCard = card(t('hub.dash.notices'), [
      canAct() ? h('p', null, h('a', { class: 'button primary', href: '#/compose', id: 'dash-compose' }, t('hub.nav.compose'))) : null,
      latest.length ? h('ul', { class: 'plain notices' }, latest) : empty(t('hub.notices.none'))], { id: 'dash-notices' });
    const cats = summary ? summaryPairs(summary).categories : [];
    const replyCard = card(t('hub.dash.replies'), cats.length
      ? [countTable('dash-categories', t('hub.reply.category'), cats.map((c) => [categoryLabel(c.key, c.label), c.count])),
        h('p', null, h('a', { href: '#/replies' }, t('hub.dash.to_replies')))]
      : empty(t('hub.replies.none')), { id: 'dash-replies' });
    return h('div', { class: 'page hub-dashboard' }, [h('div', { class: 'hub-grid' }, [boxCard, replyCard]), noticeCard]);
  },
};
