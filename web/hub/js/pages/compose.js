// SPDX-License-Identifier: Apache-2.0
// Compose a county notice: townships (boxes), roles and villages, a template or free text with
// {name} / {village}; each box resolves the recipients against its own contacts. A confirmation
// step says what goes where before POST /county/notices.
import { api, toast } from '../../../js/api.js';
import { h, clear } from '../../../js/h.js';
import { t } from '../../../js/i18n.js';
import { plan } from '../../../js/sms.js';
import { card, field, empty } from '../../../js/ui.js';
import { loadBoxes, boxName, ROLES, roleLabel, FIELDS, fieldToken, toWire, forDisplay } from '../county.js';

// County templates: texts are SMS data (Chinese), their names are panel strings.
const TEMPLATES = [
  '{name}同志：县委组织部定于本周五上午9时在县委党校召开村党组织书记会议，请准时参加。收到请回复1。',
  '{name}同志：请于本月25日前组织{village}党员完成本季度党费收缴，并报乡镇党委。',
  '{name}同志：近期有强降雨，请{village}做好防汛值守和危险区域群众转移准备，情况及时报告。',
  '{name}同志：请于本周内组织{village}党员开展主题党日活动，活动情况可直接回复本短信。',
];
const SAMPLE = { name: '张三', village: '兴隆村' };

function splitList(text) {
  return text.split(/[，,、;；\s]+/).map((s) => s.trim()).filter(Boolean);
}

export default {
  title: 'hub.nav.compose',
  load: (route, opts = {}) => loadBoxes(opts),
  render(boxes) {
    const root = h('div', { class: 'page hub-compose' });
    const allBox = h('input', { type: 'checkbox', id: 'box-all', checked: true });
    const boxChecks = boxes.map((b) => h('input', { type: 'checkbox', class: 'box-pick', value: b.id, 'data-box': b.id }));
    const roleChecks = ROLES.map((r, i) => h('input', { type: 'checkbox', class: 'role-pick', value: r, id: `role-${i}` }));
    const otherRoles = h('input', { id: 'roles-other', placeholder: t('hub.compose.roles_other_ph') });
    const villages = h('input', { id: 'villages', placeholder: t('hub.compose.villages_ph') });
    const text = h('textarea', { id: 'notice-text', rows: 5, maxlength: 1000 });
    const counter = h('small', { class: 'muted', id: 'counter' });
    const preview = h('p', { class: 'preview', id: 'preview' });
    const confirmBox = h('div', { id: 'confirm' });

    const selection = () => {
      const picked = boxChecks.filter((c) => c.checked).map((c) => c.value);
      return {
        boxes: allBox.checked ? 'all' : picked,
        roles: [...roleChecks.filter((c) => c.checked).map((c) => c.value), ...splitList(otherRoles.value)],
        villages: splitList(villages.value),
        text: toWire(text.value.trim()),
      };
    };
    const update = () => {
      for (const c of boxChecks) c.disabled = allBox.checked;
      const sample = toWire(text.value).replace(/\{(name|village)\}/g, (m, k) => SAMPLE[k]);
      const p = plan(sample);
      counter.textContent = text.value ? t('hub.compose.counter', { chars: p.units, segments: p.segments }) : '';
      preview.textContent = sample ? `${t('hub.compose.preview')}${sample}` : '';
      clear(confirmBox);
    };
    allBox.addEventListener('change', update);
    text.addEventListener('input', update);
    for (const c of [...boxChecks, ...roleChecks]) c.addEventListener('change', update);
    for (const c of [otherRoles, villages]) c.addEventListener('input', update);

    const tpl = h('select', { id: 'template', onchange: () => {
      if (tpl.value !== '') { text.value = forDisplay(TEMPLATES[Number(tpl.value)]); update(); }
    } }, [h('option', { value: '' }, t('hub.compose.template_none')),
      ...TEMPLATES.map((_, i) => h('option', { value: String(i) }, t(`hub.tpl.${i}`)))]);
    const chips = h('div', { class: 'chips' }, FIELDS.map((f) => h('button', { type: 'button', class: 'chip', id: `chip-${f}`, onclick: () => {
      const at = text.selectionStart ?? text.value.length;
      text.value = `${text.value.slice(0, at)}${fieldToken(f)}${text.value.slice(text.selectionEnd ?? at)}`;
      text.focus();
      update();
    } }, fieldToken(f))));

    const review = () => {
      const s = selection();
      clear(confirmBox);
      const problems = [];
      if (!s.text) problems.push(t('hub.compose.need_text'));
      if (s.boxes !== 'all' && !s.boxes.length) problems.push(t('hub.compose.need_box'));
      if (problems.length) {
        confirmBox.appendChild(h('p', { class: 'error', id: 'compose-error' }, problems.join(' ')));
        return;
      }
      const names = s.boxes === 'all' ? t('hub.compose.all_boxes', { n: boxes.length })
        : s.boxes.map((id) => boxName(boxes.find((b) => b.id === id) || { id })).join('、');
      const send = h('button', { type: 'button', class: 'primary', id: 'compose-send', onclick: async () => {
        send.disabled = true;
        try {
          const r = await api('POST', '/county/notices', s);
          toast(t('hub.compose.sent'));
          location.hash = `#/notice/${encodeURIComponent(r.id)}`;
        } catch (_) { send.disabled = false; }
      } }, t('hub.compose.confirm'));
      confirmBox.appendChild(h('div', { class: 'confirm card-inner' }, [
        h('p', { id: 'compose-summary' }, t('hub.compose.summary', { boxes: names })),
        h('p', { class: 'muted' }, `${t('hub.compose.roles')}：${s.roles.length ? s.roles.map(roleLabel).join('、') : t('hub.compose.everyone')}`),
        h('p', { class: 'muted' }, `${t('hub.compose.villages')}：${s.villages.length ? s.villages.join('、') : t('hub.compose.all_villages')}`),
        h('p', { class: 'muted' }, t('hub.compose.resolved_by_box')),
        h('div', { class: 'inline' }, [send, h('button', { type: 'button', onclick: () => clear(confirmBox) }, t('hub.compose.back'))]),
      ]));
    };

    root.appendChild(card(t('hub.nav.compose'), h('form', { onsubmit: (e) => { e.preventDefault(); review(); } }, [
      h('h3', null, t('hub.compose.boxes')),
      boxes.length ? h('div', { class: 'checks', id: 'box-list' }, [
        h('label', { class: 'field check' }, [allBox, h('span', null, t('hub.compose.all_boxes', { n: boxes.length }))]),
        ...boxes.map((b, i) => h('label', { class: 'field check' }, [boxChecks[i], h('span', null, boxName(b)),
          b.online ? null : h('small', { class: 'muted' }, t('hub.compose.offline_waits'))]))]) : empty(t('hub.boxes.none')),
      h('h3', null, t('hub.compose.roles')),
      h('div', { class: 'checks', id: 'role-list' }, ROLES.map((r, i) => h('label', { class: 'field check' }, [roleChecks[i], h('span', null, roleLabel(r))]))),
      field(t('hub.compose.roles_other'), otherRoles),
      field(t('hub.compose.villages'), villages, t('hub.compose.villages_hint')),
      h('h3', null, t('hub.compose.text')),
      field(t('hub.compose.template'), tpl),
      chips,
      text,
      counter,
      preview,
      h('p', null, h('button', { type: 'submit', class: 'primary', id: 'compose-review' }, t('hub.compose.review'))),
      confirmBox,
    ])));
    update();
    return root;
  },
};
