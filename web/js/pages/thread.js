// SPDX-License-Identifier: Apache-2.0
// One conversation: every message with a number (#/thread/+86…), or one message with its
// acknowledgement and replies (#/thread/m<id>: the view of a message whose sender is
// anonymous, with no number, name or village). Triage (in progress / handled), category,
// assign, notes, and reply (sent to the sender by the server, the number never shown).
import { api, toast } from '../api.js';
import { h, fmtTime } from '../h.js';
import { t } from '../i18n.js';
import { card, badge, statusBadge } from '../ui.js';
import { session } from '../main.js';
import { categoryLabel, categorySelect, replyBox } from './inbox.js';

export default {
  title: 'thread.title',
  live: true,
  async load(route, opts = {}) {
    const bg = { background: opts.background };
    const [settings, users] = await Promise.all([
      api('GET', '/settings', undefined, { background: true }),
      api('GET', '/users/names', undefined, { background: true }),
    ]);
    const byMessage = /^m\d+$/.test(route.arg || '');
    let th;
    let detail = null;
    if (byMessage) {
      detail = await api('GET', `/messages/${route.arg.slice(1)}`, undefined, bg);
      th = { peer: null, contact: null, items: [detail, ...(detail.replies || [])] };
    } else {
      th = await api('GET', `/threads/${encodeURIComponent(route.arg)}`, undefined, bg);
      const lastIn = [...th.items].reverse().find((m) => m.direction === 'in');
      detail = lastIn ? await api('GET', `/messages/${lastIn.id}`, undefined, bg) : null;
    }
    return { th, detail, users: users.items, menu: settings.menu, byMessage };
  },
  render({ th, detail, users, menu, byMessage }, route) {
    const canAct = session.user && session.user.role !== 'viewer';
    const bubbles = th.items.map((m) => h('div', { class: `bubble ${m.direction}`, dataset: { id: m.id } }, [
      h('p', { class: 'text' }, m.text),
      h('small', { class: 'muted' }, [fmtTime(m.created_at), ' ', m.category ? badge('cat', categoryLabel(menu, m.category)) : null, ' ', statusBadge(m.status),
        m.damaged ? badge('warn damaged', t('inbox.damaged')) : null]),
    ]));
    const parts = [];
    const anonymous = detail && detail.anonymous;
    if (anonymous) parts.push(h('p', { class: 'warn help', id: 'thread-anon-help' }, t('thread.anonymous_help')));
    parts.push(h('div', { class: 'bubbles', id: 'thread' }, bubbles));
    if (detail && canAct && detail.direction === 'in') {
      const status = h('span', { id: 'thread-status' }, statusBadge(detail.status));
      const setStatus = (s) => async () => {
        await api('POST', `/messages/${detail.id}/status`, { status: s });
        detail.status = s;
        status.replaceChildren(statusBadge(s));
        toast(t(`status.${s}`));
      };
      const assign = h('select', { id: 'assign', onchange: async (e) => {
        const v = e.target.value;
        await api('POST', `/messages/${detail.id}/assign`, { user_id: v ? Number(v) : null });
        toast(t('thread.assigned'));
      } }, [h('option', { value: '' }, t('thread.unassigned')), ...users.map((u) => h('option', { value: u.id }, u.display_name || u.username))]);
      assign.value = detail.assigned_user_id ? String(detail.assigned_user_id) : '';
      const cat = categorySelect(menu, detail);
      cat.id = 'thread-category';
      parts.push(h('div', { class: 'actions' }, [
        status,
        h('button', { id: 'mark-progress', onclick: setStatus('in_progress') }, t('thread.mark_in_progress')),
        h('button', { id: 'mark-handled', class: 'primary', onclick: setStatus('handled') }, t('thread.mark_handled')),
        cat,
        assign,
      ]));
      const note = h('input', { id: 'note-text', placeholder: t('thread.note') });
      parts.push(h('ul', { class: 'notes' }, detail.notes.map((n) => h('li', null, [h('strong', null, n.author), ': ', n.text, ' ', h('small', { class: 'muted' }, fmtTime(n.created_at))]))));
      parts.push(h('form', { class: 'inline', onsubmit: async (e) => {
        e.preventDefault();
        if (!note.value.trim()) return;
        await api('POST', `/messages/${detail.id}/notes`, { text: note.value });
        note.value = '';
        toast(t('thread.note_added'));
      } }, [note, h('button', { type: 'submit' }, t('thread.add_note'))]));
    }
    if (canAct && (detail || th.peer)) {
      // Answer the shown message (linked to it, sender never shown); a thread with only
      // outgoing messages is continued by number.
      let form;
      if (detail) {
        form = replyBox(detail.id, { draftKey: `t${detail.id}` });
      } else {
        const text = h('textarea', { class: 'reply-text', rows: 3, maxlength: 1000 });
        form = h('form', { class: 'reply', onsubmit: async (e) => {
          e.preventDefault();
          if (!text.value.trim()) return;
          await api('POST', '/messages', { to: [th.peer], text: text.value });
          text.value = '';
          toast(t('thread.reply_queued'));
        } }, [text, h('button', { type: 'submit', class: 'primary reply-send' }, t('thread.send'))]);
      }
      form.id = 'thread-reply';
      parts.push(h('h3', null, t('thread.reply')), form);
    }
    let who;
    if (byMessage || anonymous) {
      who = anonymous ? `${t('inbox.anonymous')} · ${categoryLabel(menu, detail.category)}` : (detail.contact_name || detail.peer || t('thread.title'));
    } else {
      who = th.contact ? `${th.contact.name} · ${th.contact.village} · ${th.peer}` : th.peer || route.arg;
    }
    return h('div', { class: 'page thread' }, card(who, parts));
  },
};
