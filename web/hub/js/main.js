// SPDX-License-Identifier: Apache-2.0
// The county hub's panel shell: auth state, navigation (hash routes), LuCI-style pages
// (load() → render(data)) over /api/v1/county/*. Shares h(), t(), api() and the login and
// setup pages with the township panel (web/js); strings come from web/hub/i18n/.

import { api, setCsrf } from '../../js/api.js';
import { h, clear } from '../../js/h.js';
import { t, loadLang, setLang, lang } from '../../js/i18n.js';

const PAGES = {
  setup: () => import('../../js/pages/setup.js'),
  login: () => import('../../js/pages/login.js'),
  dashboard: () => import('./pages/dashboard.js'),
  compose: () => import('./pages/compose.js'),
  notices: () => import('./pages/notices.js'),
  notice: () => import('./pages/notice.js'),
  replies: () => import('./pages/replies.js'),
  boxes: () => import('./pages/boxes.js'),
};
const NAV = ['dashboard', 'compose', 'notices', 'replies', 'boxes'];
const NEEDS = { compose: 'operator' };
const RANK = { viewer: 0, operator: 1, admin: 2 };

export const session = { user: null };
export function allowed(name, user = session.user) {
  const need = NEEDS[name];
  return !need || (!!user && RANK[user.role] >= RANK[need]);
}
/** True when the signed-in user may send notices (operator or admin). */
export function canAct() { return !!session.user && session.user.role !== 'viewer'; }

let current = null;
let generation = 0;

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, query] = raw.split('?');
  const parts = path.split('/').filter(Boolean);
  return { name: parts[0] || 'dashboard', arg: parts[1] ? decodeURIComponent(parts[1]) : null,
    query: new URLSearchParams(query || '') };
}

function renderNav() {
  const nav = clear(document.getElementById('nav'));
  const who = clear(document.getElementById('who'));
  const top = document.getElementById('top');
  const toggle = clear(document.getElementById('menu-toggle'));
  top.classList.remove('open');
  document.body.dataset.role = session.user ? session.user.role : '';
  toggle.hidden = !session.user;
  if (!session.user) return;
  const here = parseHash().name;
  const shown = NAV.includes(here) ? here : (here === 'notice' ? 'notices' : 'dashboard');
  for (const n of NAV) {
    if (!allowed(n)) continue;
    nav.appendChild(h('a', { href: `#/${n}`, class: shown === n ? 'active' : null, id: `nav-${n}`,
      onclick: () => top.classList.remove('open') }, t(`hub.nav.${n}`)));
  }
  toggle.appendChild(h('span', { class: 'burger', 'aria-hidden': 'true' }, '☰'));
  toggle.appendChild(h('span', null, t(`hub.nav.${shown}`)));
  toggle.setAttribute('aria-expanded', 'false');
  who.appendChild(h('span', { class: 'muted user' }, session.user.username));
  who.appendChild(h('button', { class: 'link', id: 'lang', onclick: () => setLang(lang === 'en' ? 'zh-CN' : 'en') },
    lang === 'en' ? '中文' : 'EN'));
  who.appendChild(h('button', { class: 'link', id: 'logout', onclick: logout }, t('nav.logout')));
}

async function logout() {
  try { await api('POST', '/auth/logout', {}); } catch (_) { /* toast shown */ }
  session.user = null;
  setCsrf('');
  location.hash = '#/login';
}

export async function show() {
  const my = ++generation;
  const route = parseHash();
  const main = document.getElementById('main');
  const state = await api('GET', '/auth/state', undefined, { quiet: true, background: true })
    .catch(() => ({ setup_required: false, user: null }));
  if (my !== generation) return;
  if (state.setup_required) {
    if (route.name !== 'setup') { location.hash = '#/setup'; return; }
  } else if (!state.user && route.name !== 'login') {
    location.hash = '#/login';
    return;
  }
  session.user = state.user || null;
  if (state.user) setCsrf(state.csrf);
  renderNav();
  if (state.user && !allowed(route.name)) {
    current = null;
    clear(main).appendChild(h('div', { class: 'page denied' }, h('section', { class: 'card' }, [
      h('h2', null, t(`hub.nav.${route.name}`)), h('p', { id: 'denied' }, t('hub.denied')),
      h('p', null, h('a', { href: '#/dashboard' }, t('hub.nav.dashboard')))])));
    return;
  }
  const mod = (await (PAGES[route.name] || PAGES.dashboard)()).default;
  let data;
  try {
    data = await mod.load(route);
  } catch (e) {
    if (my !== generation) return;
    clear(main).appendChild(h('div', { class: 'page' }, h('p', { class: 'error', id: 'load-error' }, t('error.load'))));
    return;
  }
  if (my !== generation) return;
  current = { mod, route };
  document.title = `${t(mod.title)} · ${t('hub.app')}`;
  clear(main).appendChild(mod.render(data, route));
}

// Pages with progress or health refresh in place every 10 s (not while someone is typing).
async function refresh() {
  if (!current || !current.mod.tick || document.visibilityState === 'hidden') return;
  const main = document.getElementById('main');
  if (main.contains(document.activeElement) && ['INPUT', 'TEXTAREA', 'SELECT'].includes(document.activeElement.tagName)) return;
  const { mod, route } = current;
  try {
    const data = await mod.load(route, { background: true });
    if (current && current.mod === mod && current.route === route) clear(main).appendChild(mod.render(data, route));
  } catch (_) { /* the next tick retries */ }
}
setInterval(refresh, 10000);

document.getElementById('menu-toggle').addEventListener('click', (e) => {
  const top = document.getElementById('top');
  top.classList.toggle('open');
  e.currentTarget.setAttribute('aria-expanded', top.classList.contains('open') ? 'true' : 'false');
});
window.addEventListener('hashchange', () => show());
loadLang().then(() => {
  document.getElementById('brand').textContent = t('hub.brand');
  show();
});
