// SPDX-License-Identifier: Apache-2.0
// Replies and reports from every township: counts by township, village and category
// (GET /county/summary), then the replies themselves, newest first, filtered by township,
// village and category, a page at a time. Anonymous categories come without a number: the
// box never sends it, and this page shows a number only when the hub has one.
import { api } from '../../../js/api.js';
import { h, fmtTime } from '../../../js/h.js';
import { t } from '../../../js/i18n.js';
import { card, badge, empty } from '../../../js/ui.js';
import { items, loadBoxes, boxNames, categoryLabel, countTable } from '../county.js';

// Pairs {key, label, count} from an array of objects or an object of counts.
function pairs(x, keyOf) {
  if (Array.isArray(x)) {
    return x.filter((e) => e && typeof e === 'object').map((e) => ({ key: keyOf(e), label: e.label ?? e.category_label ?? null,
      box: e.box ?? e.box_id ?? null, count: Number(e.count ?? e.n ?? e.replies ?? e.total ?? 0) }));
  }
  if (x && typeof x === 'object') {
    return Object.entries(x).map(([k, v]) => ({ key: k, label: v && typeof v === 'object' ? v.label ?? null : null, box: null,
      count: Number(v && typeof v === 'object' ? v.count ?? v.n ?? v.total ?? 0 : v) }));
  }
  return [];
}

/** The summary's three breakdowns, whatever spelling of them the hub uses. */
export function summaryPairs(s) {
  return {
    boxes: pairs(s.by_box ?? s.boxes, (e) => e.box ?? e.box_id ?? e.id),
    villages: pairs(s.by_village ?? s.villages, (e) => e.village ?? e.name),
    categories: pairs(s.by_category ?? s.categories, (e) => e.category ?? e.code),
  };
}

function query(f, cursor) {
  const q = new URLSearchParams();
  for (const k of ['box', 'village', 'category']) if (f[k]) q.set(k, f[k]);
  if (cursor) q.set('cursor', cursor);
  q.set('limit', '50');
  return q.toString();
}

function replyItem(r, name) {
  return h('li', { class: 'reply', dataset: { box: r.box } }, [
    h('div', { class: 'row' }, [
      h('span', null, [h('strong', null, name(r.box)), r.village ? ` · ${r.village}` : '']),
      h('span', null, [badge('cat', categoryLabel(r.category, r.category_label)),
        r.anonymous ? badge('warn anon', t('hub.reply.anonymous')) : null]),
      h('small', { class: 'muted' }, fmtTime(r.at || r.received_at || r.created_at))]),
    h('p', { class: 'reply-text' }, r.text || ''),
    r.number ? h('small', { class: 'muted number' }, r.number) : null,
  ]);
}

export default {
  title: 'hub.nav.replies',
  async load(route, opts = {}) {
    const f = { box: route.query.get('box') || '', village: route.query.get('village') || '', category: route.query.get('category') || '' };
    const bg = { background: opts.background };
    const [boxes, summary, page] = await Promise.all([loadBoxes(opts).catch(() => []),
      api('GET', '/county/summary', undefined, { ...bg, quiet: true }).catch(() => null),
      api('GET', `/county/replies?${query(f)}`, undefined, bg)]);
    return { boxes, summary, page, f };
  },
  render({ boxes, summary, page, f }) {
    const name = boxNames(boxes);
    const s = summary ? summaryPairs(summary) : { boxes: [], villages: [], categories: [] };
    const go = (nf) => { location.hash = `#/replies?${query(nf).replace(/&?limit=50/, '')}`; };
    const boxSel = h('select', { id: 'filter-box', onchange: () => go({ ...f, box: boxSel.value }) }, [
      h('option', { value: '' }, t('hub.reply.all_boxes')),
      ...boxes.map((b) => h('option', { value: b.id, selected: b.id === f.box ? true : null }, name(b.id)))]);
    const catKeys = [...new Set([...s.categories.map((c) => c.key), f.category].filter(Boolean))];
    const catSel = h('select', { id: 'filter-category', onchange: () => go({ ...f, category: catSel.value }) }, [
      h('option', { value: '' }, t('hub.reply.all_categories')),
      ...catKeys.map((k) => h('option', { value: k, selected: k === f.category ? true : null },
        categoryLabel(k, (s.categories.find((c) => c.key === k) || {}).label)))]);
    const village = h('input', { id: 'filter-village', value: f.village, placeholder: t('hub.reply.village_ph') });
    const filters = h('form', { class: 'filters', onsubmit: (e) => { e.preventDefault(); go({ ...f, village: village.value.trim() }); } },
      [boxSel, catSel, village, h('button', { type: 'submit' }, t('hub.reply.filter'))]);

    const list = h('ul', { class: 'plain replies', id: 'replies' }, items(page, 'replies').map((r) => replyItem(r, name)));
    let cursor = page && page.next_cursor;
    const more = h('button', { type: 'button', id: 'replies-more', hidden: !cursor, onclick: async () => {
      more.disabled = true;
      try {
        const next = await api('GET', `/county/replies?${query(f, cursor)}`);
        for (const r of items(next, 'replies')) list.appendChild(replyItem(r, name));
        cursor = next && next.next_cursor;
        more.hidden = !cursor;
      } finally { more.disabled = false; }
    } }, t('hub.reply.more'));

    const villageLabel = (v) => (v.box ? `${name(v.box)} · ${v.key}` : v.key);
    return h('div', { class: 'page hub-replies' }, [
      h('div', { class: 'hub-grid summary' }, [
        card(t('hub.reply.by_box'), s.boxes.length ? countTable('sum-boxes', t('hub.notice.box'), s.boxes.map((b) => [name(b.key), b.count])) : empty(t('hub.replies.none')), { id: 'sum-box-card' }),
        card(t('hub.reply.by_category'), s.categories.length ? countTable('sum-categories', t('hub.reply.category'), s.categories.map((c) => [categoryLabel(c.key, c.label), c.count])) : empty(t('hub.replies.none')), { id: 'sum-cat-card' }),
        card(t('hub.reply.by_village'), s.villages.length ? countTable('sum-villages', t('hub.reply.village'), s.villages.map((v) => [villageLabel(v), v.count])) : empty(t('hub.replies.none')), { id: 'sum-village-card' }),
      ]),
      card(t('hub.nav.replies'), [filters, list.childNodes.length ? list : empty(t('hub.replies.none')), more,
        h('p', { class: 'muted' }, t('hub.reply.anonymous_hint'))]),
    ]);
  },
};
