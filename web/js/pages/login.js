// SPDX-License-Identifier: Apache-2.0
import { api, setCsrf } from '../api.js';
import { h } from '../h.js';
import { t } from '../i18n.js';
import { field, card } from '../ui.js';

export default {
  title: 'login.title',
  load: async () => null,
  render() {
    const user = h('input', { id: 'login-user', autocomplete: 'username', required: true });
    const pass = h('input', { id: 'login-pass', type: 'password', autocomplete: 'current-password', required: true });
    const form = h('form', { class: 'narrow', onsubmit: async (e) => {
      e.preventDefault();
      try {
        const r = await api('POST', '/auth/login', { username: user.value, password: pass.value });
        setCsrf(r.csrf);
        location.hash = '#/dashboard';
      } catch (_) { pass.value = ''; }
    } }, [
      field(t('login.username'), user),
      field(t('login.password'), pass),
      h('button', { type: 'submit', id: 'login-submit', class: 'primary' }, t('login.submit')),
    ]);
    return card(t('login.title'), form);
  },
};
