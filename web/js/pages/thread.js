// SPDX-License-Identifier: Apache-2.0
// One conversation: every message with a number, triage (in progress / handled), assign,
// notes, and reply.
import { api, toast } from '../api.js';
import { h, fmtTime } from '../h.js';
import { t } from '../i18n.js';
import { card, badge, statusBadge, field } from '../ui.js';
import { plan } from '../sms.js';
import { session } from '../main.js';

export default {
  title: 'thread.title',
  live: true,
  async load(route, opts = {}) {
    const bg = { background: opts.background };
    const th = await api('GET', `/threads/${encodeURIComponent(route.arg)}`, undefined, bg);
    const lastIn = [...th.items].reverse().find((m) => m.direction === 'in');
    const detail = lastIn ? await api('GET', `/messages/${lastIn.id}`, undefined, bg) : null;
    const users = await api('GET', '/users/names', undefined, { background: true });
    return { th, detail, users: users.items };
  },
  render({ th, detail, users }, route) {
    const canAct = session.user && session.user.role !== 'viewer';
    const bubbles = th.items.map((m) => h('div', { class: `bubble ${m.direction}`, dataset: { id: m.id } }, [
      h('p', { class: 'text' }, m.text),
      h('small', { class: 'muted' }, [fmtTime(m.created_at), ' ', m.category ? badge('cat', m.category) : null, ' ', statusBadge(m.status),
        m.damaged ? badge('warn damaged', t('inbox.damaged')) : null]),
    ]));
    const parts = [h('div', { class: 'bubbles', id: 'thread' }, bubbles)];
    if (detail && canAct) {
      const setStatus = (s) => async () => {
        await api('POST', `/messages/${detail.id}/status`, { status: s });
        toast(t(`status.${s}`));
      };
      const assign = h('select', { id: 'assign', onchange: async (e) => {
        const v = e.target.value;
        await api('POST', `/messages/${detail.id}/assign`, { user_id: v ? Number(v) : null });
        toast(t('thread.assigned'));
      } }, [h('option', { value: '' }, t('thread.unassigned')), ...users.map((u) => h('option', { value: u.id }, u.display_name || u.username))]);
      assign.value = detail.assigned_user_id ? String(detail.assigned_user_id) : '';
      parts.push(h('div', { class: 'actions' }, [
        statusBadge(detail.status),
        h('button', { id: 'mark-progress', onclick: setStatus('in_progress') }, t('thread.mark_in_progress')),
        h('button', { id: 'mark-handled', class: 'primary', onclick: setStatus('handled') }, t('thread.mark_handled')),
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
    if (canAct) {
      const text = h('textarea', { id: 'reply-text', rows: 3, maxlength: 1000 });
      const counter = h('small', { class: 'muted', id: 'reply-counter' });
      const update = () => {
        const p = plan(text.value);
        counter.textContent = t('compose.counter', { chars: p.units, segments: p.segments, remaining: p.remaining });
      };
      text.addEventListener('input', update);
      update();
      parts.push(h('form', { class: 'reply', onsubmit: async (e) => {
        e.preventDefault();
        if (!text.value.trim()) return;
        await api('POST', '/messages', { to: [th.peer], text: text.value });
        text.value = '';
        update();
        toast(t('thread.reply_queued'));
      } }, [field(t('thread.reply'), text), counter, h('button', { type: 'submit', class: 'primary', id: 'reply-send' }, t('thread.send'))]));
    }
    const who = th.contact ? `${th.contact.name} · ${th.contact.village} · ${th.peer}` : th.peer || route.arg;
    return h('div', { class: 'page thread' }, card(who, parts));
  },
};
