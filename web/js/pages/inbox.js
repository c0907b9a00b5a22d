// SPDX-License-Identifier: Apache-2.0
// Inbox: replies with filters (category, status, village, search), triage right on each item
// (in progress / handled, category, reply box: "mark in progress, answer, mark handled" in
// four clicks), threads per contact or per message, CSV export. Categories show code + label.
// A message in an anonymous category shows no number, name or village to any role.
import { api, toast } from '../api.js';
import { h, fmtTime } from '../h.js';
import { t, lang } from '../i18n.js';
import { card, badge, statusBadge, empty } from '../ui.js';
import { plan } from '../sms.js';
import { session } from '../main.js';

// What survives a live refresh: the open reply box and its draft.
const ui = { open: null, drafts: {} };

function filtersFrom(route) {
  const q = route.query;
  return { category: q.get('category') || '', status: q.get('status') || '', village: q.get('village') || '', q: q.get('q') || '', cursor: q.get('cursor') || '' };
}

function queryString(f) {
  const p = new URLSearchParams({ direction: 'in', limit: '50' });
  for (const k of ['category', 'status', 'village', 'q', 'cursor']) if (f[k]) p.set(k, f[k]);
  return p.toString();
}

// "03 反映情况" from the reply menu (the label in the panel's language); the bare code when
// the menu no longer has it.
export function categoryLabel(menu, code) {
  if (!code) return t('inbox.uncategorised');
  const m = (menu || []).find((x) => x.code === code);
  if (!m) return code;
  return `${code} ${lang === 'en' ? (m.label_en || m.label_zh) : m.label_zh}`;
}

// The sender as shown: name (number) for a known contact, the number, or 匿名 (never a number).
export function senderText(m) {
  if (m.anonymous) return t('inbox.anonymous');
  return m.contact_name ? `${m.contact_name} (${m.peer})` : (m.peer || t('inbox.unknown_sender'));
}

// Where the conversation of a message is: by number, or by message when the sender is hidden.
export function threadHref(m) {
  return m.anonymous || !m.peer ? `#/thread/m${m.id}` : `#/thread/${encodeURIComponent(m.peer)}`;
}

// The category select of an incoming message (re-classify by hand, audited on the server).
export function categorySelect(menu, m, onChange) {
  const sel = h('select', { class: 'recat', 'aria-label': t('inbox.reclassify'), title: t('inbox.reclassify'), onchange: async (e) => {
    const v = e.target.value;
    await api('POST', `/messages/${m.id}/category`, { category: v || null });
    toast(t('inbox.reclassified'));
    if (onChange) onChange(v);
  } }, [h('option', { value: '' }, t('inbox.uncategorised')),
    ...(menu || []).map((x) => h('option', { value: x.code }, categoryLabel(menu, x.code)))]);
  sel.value = m.category || '';
  if (m.category && !(menu || []).some((x) => x.code === m.category)) {
    sel.appendChild(h('option', { value: m.category }, m.category));
    sel.value = m.category;
  }
  return sel;
}

// A reply box answering message `id` (POST /messages/{id}/reply: the server finds the sender).
export function replyBox(id, { onSent, draftKey } = {}) {
  const text = h('textarea', { class: 'reply-text', rows: 3, maxlength: 1000, 'aria-label': t('thread.reply') });
  if (draftKey !== undefined) text.value = ui.drafts[draftKey] || '';
  const counter = h('small', { class: 'muted reply-counter' });
  const update = () => {
    const p = plan(text.value);
    counter.textContent = t('compose.counter', { chars: p.units, segments: p.segments, remaining: p.remaining });
    if (draftKey !== undefined) ui.drafts[draftKey] = text.value;
  };
  text.addEventListener('input', update);
  update();
  const form = h('form', { class: 'reply', onsubmit: async (e) => {
    e.preventDefault();
    if (!text.value.trim()) return;
    await api('POST', `/messages/${id}/reply`, { text: text.value });
    text.value = '';
    update();
    toast(t('thread.reply_queued'));
    if (onSent) onSent();
  } }, [text, counter, h('button', { type: 'submit', class: 'primary reply-send' }, t('thread.send'))]);
  form.focusText = () => text.focus();
  return form;
}

function item(m, menu, canAct) {
  const li = h('li', { class: `msg st-${m.status}${m.anonymous ? ' anon' : ''}`, dataset: { id: m.id } });
  const status = h('span', { class: 'st' }, statusBadge(m.status));
  const setStatus = (s) => async () => {
    await api('POST', `/messages/${m.id}/status`, { status: s });
    m.status = s;
    li.className = `msg st-${s}${m.anonymous ? ' anon' : ''}`;
    status.replaceChildren(statusBadge(s));
    toast(t(`status.${s}`));
  };
  const head = h('div', { class: 'row' }, [
    h('a', { class: `peer${m.anonymous ? ' anonymous' : ''}`, href: threadHref(m) }, senderText(m)),
    m.village ? h('span', { class: 'muted' }, m.village) : null,
    h('span', { class: 'cat-label' }, m.category ? badge('cat', categoryLabel(menu, m.category)) : badge('muted', t('inbox.uncategorised'))),
    status,
    m.incomplete ? badge('warn', t('inbox.incomplete')) : null,
    m.damaged ? badge('warn damaged', t('inbox.damaged')) : null,
  ]);
  li.append(head, h('p', { class: 'text' }, m.text), h('small', { class: 'muted' }, fmtTime(m.created_at)));
  if (!canAct) return li;
  const box = h('div', { class: 'reply-slot' });
  const openReply = () => {
    ui.open = ui.open === m.id ? null : m.id;
    box.replaceChildren();
    if (ui.open === m.id) {
      const form = replyBox(m.id, { draftKey: m.id, onSent: () => { ui.open = null; delete ui.drafts[m.id]; box.replaceChildren(); } });
      box.appendChild(form);
      form.focusText();
    }
  };
  li.append(h('div', { class: 'actions' }, [
    h('button', { class: 'mark-progress', onclick: setStatus('in_progress') }, t('status.in_progress')),
    h('button', { class: 'mark-handled', onclick: setStatus('handled') }, t('status.handled')),
    h('button', { class: 'open-reply', onclick: openReply }, t('thread.reply')),
    categorySelect(menu, m, (v) => {
      m.category = v || null;
      li.querySelector('.cat-label').replaceChildren(v ? badge('cat', categoryLabel(menu, v)) : badge('muted', t('inbox.uncategorised')));
    }),
  ]), box);
  if (ui.open === m.id) {
    box.appendChild(replyBox(m.id, { draftKey: m.id, onSent: () => { ui.open = null; delete ui.drafts[m.id]; box.replaceChildren(); } }));
  }
  return li;
}

export default {
  title: 'nav.inbox',
  live: true,
  // A live refresh must not throw away a reply being written.
  onEvent() {
    if (ui.open !== null && (ui.drafts[ui.open] || '').trim()) return false;
    return true;
  },
  async load(route, opts = {}) {
    const f = filtersFrom(route);
    const [list, settings] = await Promise.all([
      api('GET', `/messages?${queryString(f)}`, undefined, { background: opts.background }),
      api('GET', '/settings', undefined, { background: true }),
    ]);
    // Missed calls (the box hangs up every call): one line above the list.
    const calls = await api('GET', '/calls?limit=3', undefined, { background: true }).catch(() => null);
    return { f, list, menu: settings.menu, calls };
  },
  render({ f, list, menu, calls }) {
    const canAct = !!(session.user && session.user.role !== 'viewer');
    const cat = h('select', { id: 'f-category' }, [h('option', { value: '' }, t('inbox.all_categories')),
      ...menu.map((m) => h('option', { value: m.code }, categoryLabel(menu, m.code)))]);
    cat.value = f.category;
    const st = h('select', { id: 'f-status' }, ['', 'new', 'in_progress', 'handled'].map((s) =>
      h('option', { value: s }, s ? t(`status.${s}`) : t('inbox.all_statuses'))));
    st.value = f.status;
    const village = h('input', { id: 'f-village', placeholder: t('contacts.village'), value: f.village });
    const search = h('input', { id: 'f-search', type: 'search', placeholder: t('inbox.search'), value: f.q });
    const apply = (e) => {
      e.preventDefault();
      const p = new URLSearchParams();
      if (cat.value) p.set('category', cat.value);
      if (st.value) p.set('status', st.value);
      if (village.value) p.set('village', village.value);
      if (search.value) p.set('q', search.value);
      location.hash = `#/inbox?${p}`;
    };
    const exportHref = `/api/v1/messages/export.csv?${queryString({ ...f, cursor: '' })}`;
    const form = h('form', { class: 'filters', onsubmit: apply }, [cat, st, village, search,
      h('button', { type: 'submit' }, t('inbox.filter')),
      h('a', { class: 'button', href: exportHref, download: 'messages.csv' }, t('inbox.export'))]);
    const anonCats = menu.filter((m) => m.anonymous).map((m) => categoryLabel(menu, m.code));
    const help = anonCats.length ? h('p', { class: 'muted help', id: 'inbox-anon-help' }, t('inbox.anonymous_help', { categories: anonCats.join('、') })) : null;
    const items = list.items.map((m) => item(m, menu, canAct));
    const more = list.next_cursor ? h('a', { class: 'button', href: `#/inbox?${new URLSearchParams({ ...f, cursor: list.next_cursor })}` }, t('more')) : null;
    const callLine = calls && calls.items.length ? h('p', { class: 'muted calls-line', id: 'calls-line' }, [
      `${t('calls.missed_24h')}: ${calls.last_24h}`, ' · ',
      calls.items.map((c) => `${c.contact_name || c.number || t('calls.withheld')} ${fmtTime(c.at)}`).join('，')]) : null;
    return h('div', { class: 'page inbox' }, [card(t('nav.inbox'), [form, help, callLine,
      items.length ? h('ul', { class: 'messages', id: 'inbox-list' }, items) : empty(t('inbox.empty')), more])]);
  },
};
