// SPDX-License-Identifier: Apache-2.0
// Admins see what the last start did with an uploaded backup (applied, or set aside because it
// could not be opened) until one of them dismisses the notice.
import { api } from './api.js';
import { h, fmtTime } from './h.js';
import { t, lang } from './i18n.js';

let checked = false;

function fmt(unix) {
  return fmtTime(unix);
}

/// Shows the notice above the page once per page load, for admins only.
export async function restoreNotice(user) {
  if (checked || !user || user.role !== 'admin') return;
  checked = true;
  const r = await api('GET', '/system/restore', undefined, { quiet: true, background: true }).catch(() => null);
  const last = r && r.last;
  if (!last || last.dismissed) return;
  const failed = last.result === 'set_aside';
  const box = h('div', { id: 'restore-notice', class: failed ? 'notice error' : 'notice', role: 'alert' }, [
    h('strong', null, failed ? t('restore.set_aside_title') : t('restore.applied_title')), ' ',
    failed ? t('restore.set_aside_text', { at: fmt(last.at), file: last.kept, reason: lang === 'en' ? last.reason : (last.reason_zh || last.reason) })
      : t('restore.applied_text', { at: fmt(last.at), file: last.kept }), ' ',
    h('button', { class: 'link', id: 'restore-notice-dismiss', onclick: async () => {
      await api('POST', '/system/restore/dismiss', {});
      box.remove();
    } }, t('restore.dismiss')),
  ]);
  const main = document.getElementById('main');
  main.parentNode.insertBefore(box, main);
}
