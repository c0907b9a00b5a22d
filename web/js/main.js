// SPDX-License-Identifier: Apache-2.0
// The panel's shell: auth state, navigation (hash routes), page lifecycle (LuCI-style
// load() → render(data)), live refresh.

import { restoreNotice } from './restore_notice.js';
import { api, setCsrf, startLive, stopLive, onLive, toast } from './api.js';
import { h, clear, setOfficeOffset } from './h.js';
import { t, loadLang, setLang, lang } from './i18n.js';

const PAGES = {
  setup: () => import('./pages/setup.js'),
  login: () => import('./pages/login.js'),
  dashboard: () => import('./pages/dashboard.js'),
  inbox: () => import('./pages/inbox.js'),
  thread: () => import('./pages/thread.js'),
  compose: () => import('./pages/compose.js'),
  campaigns: () => import('./pages/campaigns.js'),
  campaign: () => import('./pages/campaign.js'),
  templates: () => import('./pages/templates.js'),
  contacts: () => import('./pages/contacts.js'),
  modems: () => import('./pages/modems.js'),
  settings: () => import('./pages/settings.js'),
  quarantine: () => import('./pages/quarantine.js'),
  reports: () => import('./pages/reports.js'),
  audit: () => import('./pages/audit.js'),
};
const NAV = ['dashboard', 'inbox', 'compose', 'campaigns', 'contacts', 'reports', 'modems', 'settings', 'audit'];
// Pages a role below this one may not open (the API refuses them anyway): a viewer does not see
// the send form at all instead of filling it in and getting a 403.
const NEEDS = { compose: 'operator', audit: 'admin' };
const RANK = { viewer: 0, operator: 1, admin: 2 };
export function allowed(name, user = session.user) {
  const need = NEEDS[name];
  return !need || (!!user && RANK[user.role] >= RANK[need]);
}
/** True when the signed-in user may send, triage and change things (operator or admin). */
export function canAct() { return !!session.user && session.user.role !== 'viewer'; }

export const session = { user: null };
let current = null;
let generation = 0;

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, query] = raw.split('?');
  const parts = path.split('/').filter(Boolean);
  return { name: parts[0] || 'dashboard', arg: parts[1] ? decodeURIComponent(parts[1]) : null,
    query: new URLSearchParams(query || '') };
}

// On a phone the navigation folds behind one button (the header stays one line high);
// from 760 px up every entry is shown.
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
  const shown = NAV.includes(here) ? here : (here === 'thread' ? 'inbox' : here === 'campaign' ? 'campaigns' : 'dashboard');
  for (const n of NAV) {
    if (!allowed(n)) continue;
    nav.appendChild(h('a', { href: `#/${n}`, class: shown === n ? 'active' : null, id: `nav-${n}`,
      onclick: () => top.classList.remove('open') }, t(`nav.${n}`)));
  }
  toggle.appendChild(h('span', { class: 'burger', 'aria-hidden': 'true' }, '☰'));
  toggle.appendChild(h('span', null, t(`nav.${shown}`)));
  toggle.setAttribute('aria-expanded', 'false');
  who.appendChild(h('span', { class: 'muted user' }, session.user.username));
  who.appendChild(h('button', { class: 'link', onclick: () => setLang(lang === 'en' ? 'zh-CN' : 'en') },
    lang === 'en' ? '中文' : 'EN'));
  who.appendChild(h('button', { class: 'link', id: 'logout', onclick: logout }, t('nav.logout')));
}

async function logout() {
  try { await api('POST', '/auth/logout', {}); } catch (_) { /* toast shown */ }
  session.user = null;
  setCsrf('');
  stopLive();
  location.hash = '#/login';
}

export async function show(force) {
  const my = ++generation;
  const route = parseHash();
  const main = document.getElementById('main');
  const state = await api('GET', '/auth/state', undefined, { quiet: true, background: true })
    .catch(() => ({ setup_required: false, user: null }));
  setOfficeOffset(state.utc_offset_minutes);
  if (state.setup_required) {
    if (route.name !== 'setup') { location.hash = '#/setup'; return; }
  } else if (!state.user && route.name !== 'login') {
    location.hash = '#/login';
    return;
  }
  if (state.user) {
    const fresh = !session.user;
    session.user = state.user;
    setCsrf(state.csrf);
    if (fresh) startLive();
  } else {
    session.user = null;
  }
  renderNav();
  restoreNotice(session.user);
  if (state.user && !allowed(route.name)) {
    current = null;
    clear(main).appendChild(h('div', { class: 'page denied' }, h('section', { class: 'card' }, [
      h('h2', null, t(`nav.${route.name}`)), h('p', { id: 'denied' }, t(`denied.${NEEDS[route.name]}`)),
      h('p', null, h('a', { href: '#/dashboard' }, t('nav.dashboard')))])));
    document.title = `${t(`nav.${route.name}`)} · ${t('app.name')}`;
    return;
  }
  const loader = PAGES[route.name] || PAGES.dashboard;
  const mod = (await loader()).default;
  let data;
  try {
    data = await mod.load(route);
  } catch (e) {
    if (my !== generation) return;
    clear(main).appendChild(h('p', { class: 'error' }, t('error.load')));
    return;
  }
  if (my !== generation) return;
  current = { mod, route };
  document.title = `${t(mod.title)} · ${t('app.name')}`;
  const node = mod.render(data, route);
  if (force || main.firstChild !== node) clear(main).appendChild(node);
}

// Re-load the current page in place (live updates); keeps what the user is typing.
export async function refresh() {
  if (!current || !current.mod.live) return;
  const main = document.getElementById('main');
  if (main.contains(document.activeElement) && ['INPUT', 'TEXTAREA', 'SELECT'].includes(document.activeElement.tagName)) {
    return;
  }
  const { mod, route } = current;
  try {
    const data = await mod.load(route, { background: true });
    // The user may have started typing while the data loaded (e.g. opened a reply box).
    if (main.contains(document.activeElement) && ['INPUT', 'TEXTAREA', 'SELECT'].includes(document.activeElement.tagName)) {
      return;
    }
    // Only if the page is still the one loaded: a refresh that ends after a navigation must not
    // put the previous route's content (e.g. an unfiltered inbox) back.
    if (current && current.mod === mod && current.route === route) clear(main).appendChild(mod.render(data, route));
  } catch (_) { /* next event retries */ }
}

onLive((name, data) => {
  if (!current) return;
  if (current.mod.onEvent && current.mod.onEvent(name, data) === false) return;
  if (name === 'message' && data) toast(t('live.reply'), 'info');
  refresh();
});

// Pages showing progress (campaign, dashboard) also refresh on a timer; these requests are
// marked as background so they do not keep an idle session alive. With live events (SSE)
// progress arrives as `campaign` events, so the timer is only a slow fallback (15 s).
let ticks = 0;
setInterval(() => {
  ticks += 1;
  if (document.body.dataset.live === 'sse' && ticks % 5 !== 0) return;
  if (current && current.mod.tick && document.visibilityState !== 'hidden') refresh();
}, 3000);

document.getElementById('menu-toggle').addEventListener('click', (e) => {
  const top = document.getElementById('top');
  top.classList.toggle('open');
  e.currentTarget.setAttribute('aria-expanded', top.classList.contains('open') ? 'true' : 'false');
});
window.addEventListener('hashchange', () => show(true));
loadLang().then(() => show(true));
