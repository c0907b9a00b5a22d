// SPDX-License-Identifier: Apache-2.0
// First start: the one-time setup code (printed on the console) creates the admin account.
import { api, setCsrf, toast } from '../api.js';
import { h } from '../h.js';
import { t } from '../i18n.js';
import { field, card } from '../ui.js';

export default {
  title: 'setup.title',
  load: async () => null,
  render() {
    const code = h('input', { id: 'setup-code', autocomplete: 'off', placeholder: 'XXXX-XXXX', required: true });
    const user = h('input', { id: 'setup-user', value: 'admin', autocomplete: 'username', required: true });
    const pass = h('input', { id: 'setup-pass', type: 'password', autocomplete: 'new-password', minlength: 8, required: true });
    const form = h('form', { class: 'narrow', onsubmit: async (e) => {
      e.preventDefault();
      try {
        const r = await api('POST', '/auth/setup', { code: code.value, username: user.value, password: pass.value });
        setCsrf(r.csrf);
        toast(t('setup.done'));
        location.hash = '#/dashboard';
      } catch (_) { /* toast shown */ }
    } }, [
      h('p', null, t('setup.intro')),
      field(t('setup.code'), code),
      field(t('login.username'), user),
      field(t('setup.password'), pass, t('setup.password_hint')),
      h('button', { type: 'submit', id: 'setup-submit', class: 'primary' }, t('setup.submit')),
    ]);
    return card(t('setup.title'), form);
  },
};
