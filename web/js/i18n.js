// SPDX-License-Identifier: Apache-2.0
// t('key'): Simplified Chinese first, English by a switch (kept in localStorage).

let strings = {};
let fallback = {};
export let lang = 'zh-CN';

export async function loadLang() {
  lang = localStorage.getItem('cunxin.lang') === 'en' ? 'en' : 'zh-CN';
  document.documentElement.lang = lang;
  const get = async (l) => (await fetch(`i18n/${l}.json`, { credentials: 'same-origin' })).json();
  fallback = await get('zh-CN');
  strings = lang === 'zh-CN' ? fallback : await get(lang);
}

export function setLang(l) {
  localStorage.setItem('cunxin.lang', l);
  location.reload();
}

export function t(key, vars) {
  let s = strings[key] ?? fallback[key] ?? key;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
  return s;
}
