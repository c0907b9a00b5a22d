// SPDX-License-Identifier: Apache-2.0
// One county notice: its text and selection, and its progress per township (as each box reports
// it: recipients it found, queued, sent, delivered, failed). A box that has not answered yet is
// shown as waiting (offline boxes get the notice from the broker when they come back).
import { api, toast } from '../../../js/api.js';
import { canAct, show } from '../main.js';
import { h, fmtTime } from '../../../js/h.js';
import { t } from '../../../js/i18n.js';
import { card, progressBar, empty } from '../../../js/ui.js';
import { loadBoxes, boxNames, counts, roleLabel, ago, forDisplay } from '../county.js';
import { noticeTotals } from './notices.js';

// Per-box progress: [{box, …counts}] or {box_id: counts}.
function perBox(n) {
  const src = n.boxes ?? n.progress_by_box ?? n.per_box ?? n.progress;
  if (Array.isArray(src)) return src.filter((x) => x && typeof x === 'object').map((x) => ({ ...x, box: x.box ?? x.box_id ?? x.id }));
  if (src && typeof src === 'object' && !('recipients' in src)) return Object.entries(src).map(([box, p]) => ({ ...p, box }));
  return [];
}

// Cancel at every box: what a box has not sent yet stays unsent (asks first).
function cancelButton(n) {
  const b = h('button', { type: 'button', class: 'danger', id: 'notice-cancel', onclick: async () => {
    if (!window.confirm(t('hub.notice.cancel_confirm'))) return;
    b.disabled = true;
    try {
      await api('POST', `/county/notices/${encodeURIComponent(n.id)}/cancel`, {});
      toast(t('hub.notice.cancelled'));
      show();
    } catch (_) { b.disabled = false; }
  } }, t('hub.notice.cancel'));
  return b;
}

export default {
  title: 'hub.notice.title',
  tick: true,
  async load(route, opts = {}) {
    const bg = { background: opts.background };
    const [notice, boxes] = await Promise.all([api('GET', `/county/notices/${encodeURIComponent(route.arg)}`, undefined, bg),
      loadBoxes(opts).catch(() => [])]);
    return { notice, boxes };
  },
  render({ notice: n, boxes }) {
    const name = boxNames(boxes);
    const rows = perBox(n);
    const c = noticeTotals(n);
    const online = new Map(boxes.map((b) => [b.id, b]));
    const lis = rows.map((r) => {
      const p = counts(r);
      const b = online.get(r.box);
      const waiting = r.reported === false || (r.reported === undefined && !r.recipients && !p.done && !p.queued);
      return h('li', { class: 'box-progress', dataset: { box: r.box } }, [
        h('div', { class: 'row' }, [h('strong', null, name(r.box)),
          b && !b.online ? h('small', { class: 'error' }, `${t('hub.box.offline')} · ${ago(b.last_seen)}`) : null]),
        waiting ? h('p', { class: 'muted waiting' }, r.published === false ? t('hub.notice.unpublished') : t('hub.notice.waiting')) : progressBar(p.percent, `${p.done}/${p.recipients}`),
        h('dl', { class: 'counts' }, [
          ['recipients', p.recipients], ['queued', p.queued], ['sent', p.sent], ['delivered', p.delivered], ['failed', p.failed],
        ].map(([k, v]) => h('div', { class: k === 'failed' && v ? 'error' : null, dataset: { count: k } },
          [h('dt', null, t(`hub.notice.${k}`)), h('dd', null, String(v))]))),
      ]);
    });
    const sel = [
      `${t('hub.compose.roles')}：${(n.roles || []).length ? n.roles.map(roleLabel).join('、') : t('hub.compose.everyone')}`,
      `${t('hub.compose.villages')}：${(n.villages || []).length ? n.villages.join('、') : t('hub.compose.all_villages')}`,
    ];
    return h('div', { class: 'page hub-notice' }, [
      card(t('hub.notice.title'), [
        h('p', { class: 'notice-body', id: 'notice-text' }, forDisplay(n.text)),
        h('p', { class: 'muted' }, [fmtTime(n.created_at || n.at), n.cancelled_at ? ` · ${t('hub.notice.status.cancelled')} ${fmtTime(n.cancelled_at)}` : '',
          n.created_by ? ` · ${n.created_by}` : '']),
        ...sel.map((s) => h('p', { class: 'muted' }, s)),
        h('div', { id: 'notice-total' }, progressBar(c.percent, `${c.done}/${c.recipients}`)),
        h('p', { class: 'muted' }, t('hub.notice.counts', { delivered: c.delivered, sent: c.sent, failed: c.failed, queued: c.queued })),
      ]),
      card(t('hub.notice.per_box'), rows.length
        ? h('ul', { id: 'notice-boxes', class: 'plain per-box' }, lis)
        : empty(t('hub.notice.no_boxes'))),
      h('p', { class: 'inline' }, [h('a', { href: '#/notices' }, t('hub.notice.back')),
        canAct() && !n.cancelled_at ? cancelButton(n) : null]),
    ]);
  },
};
