// SPDX-License-Identifier: Apache-2.0
// The panel's two catalogues (web/i18n/zh-CN.json, en.json) have the same keys with the same
// {placeholders}, and every key the panel's code asks for with t('…') exists in both; a
// t(`prefix.${x}`) needs at least one key under that prefix. Plain node, no browser.
//   node i18n.test.mjs <source dir>

import fs from 'node:fs';
import path from 'node:path';

const root = process.argv[2] || path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const web = path.join(root, 'web');
const failures = [];
let passed = 0;
function check(cond, what) {
  if (cond) { passed++; console.log(`ok   ${what}`); } else { failures.push(what); console.log(`FAIL ${what}`); }
}

const zh = JSON.parse(fs.readFileSync(path.join(web, 'i18n/zh-CN.json'), 'utf8'));
const en = JSON.parse(fs.readFileSync(path.join(web, 'i18n/en.json'), 'utf8'));
const onlyZh = Object.keys(zh).filter((k) => !(k in en));
const onlyEn = Object.keys(en).filter((k) => !(k in zh));
check(onlyZh.length === 0, `every zh-CN key is in en.json${onlyZh.length ? ': missing ' + onlyZh.join(', ') : ''}`);
check(onlyEn.length === 0, `every en key is in zh-CN.json${onlyEn.length ? ': missing ' + onlyEn.join(', ') : ''}`);

const holes = (s) => [...String(s).matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1]).sort().join(',');
const differ = Object.keys(zh).filter((k) => k in en && holes(zh[k]) !== holes(en[k]));
check(differ.length === 0, `zh-CN and en use the same {placeholders}${differ.length ? ': ' + differ.map((k) => `${k} (${holes(zh[k])} / ${holes(en[k])})`).join('; ') : ''}`);
const empties = Object.keys(zh).filter((k) => !String(zh[k]).trim() || !String(en[k] ?? 'x').trim());
check(empties.length === 0, `no empty text${empties.length ? ': ' + empties.join(', ') : ''}`);

function files(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.js') ? [path.join(dir, e.name)] : []);
}
const used = new Map();      // key -> first file using it
const prefixes = new Map();  // prefix of t(`prefix.${…}`) -> file
for (const f of files(path.join(web, 'js'))) {
  // Code only: comment lines may quote t('key') as an example.
  const src = fs.readFileSync(f, 'utf8').split('\n').filter((l) => !/^\s*(\/\/|\*)/.test(l)).join('\n');
  for (const m of src.matchAll(/\bt\(\s*(['"])([A-Za-z0-9_.\-]+)\1\s*[,)]/g)) if (!used.has(m[2])) used.set(m[2], path.relative(root, f));
  for (const m of src.matchAll(/\bt\(\s*`([A-Za-z0-9_.\-]*)\$\{/g)) if (m[1] && !prefixes.has(m[1])) prefixes.set(m[1], path.relative(root, f));
}
check(used.size > 50, `found the panel's t('…') calls (${used.size} keys)`);
const missing = [...used].filter(([k]) => !(k in zh) || !(k in en));
check(missing.length === 0, `every t('key') in web/js exists in both catalogues${missing.length ? ': ' + missing.map(([k, f]) => `${k} (${f}, ${k in zh ? 'en' : k in en ? 'zh-CN' : 'both'})`).join('; ') : ''}`);
const deadPrefix = [...prefixes].filter(([p]) => !Object.keys(zh).some((k) => k.startsWith(p)));
check(deadPrefix.length === 0, `every t(\`prefix.\${…}\`) has keys under its prefix${deadPrefix.length ? ': ' + deadPrefix.map(([p, f]) => `${p} (${f})`).join('; ') : ''}`);

// The county hub's panel (web/hub) has catalogues of its own (web/hub/i18n, loaded relative to
// web/hub/index.html): the same checks, for its code and the shared modules it imports.
const hubDir = path.join(web, 'hub');
if (fs.existsSync(path.join(hubDir, 'i18n/zh-CN.json'))) {
  const hzh = JSON.parse(fs.readFileSync(path.join(hubDir, 'i18n/zh-CN.json'), 'utf8'));
  const hen = JSON.parse(fs.readFileSync(path.join(hubDir, 'i18n/en.json'), 'utf8'));
  const hOnly = [...Object.keys(hzh).filter((k) => !(k in hen)), ...Object.keys(hen).filter((k) => !(k in hzh))];
  check(hOnly.length === 0, `hub: zh-CN and en have the same keys${hOnly.length ? ': ' + hOnly.join(', ') : ''}`);
  const hDiffer = Object.keys(hzh).filter((k) => k in hen && holes(hzh[k]) !== holes(hen[k]));
  check(hDiffer.length === 0, `hub: same {placeholders}${hDiffer.length ? ': ' + hDiffer.join(', ') : ''}`);
  const shared = ['api.js', 'h.js', 'pages/login.js', 'pages/setup.js'].map((f) => path.join(web, 'js', f));
  const hUsed = new Map();
  const hPrefixes = new Map();
  for (const f of [...files(path.join(hubDir, 'js')), ...shared]) {
    const src = fs.readFileSync(f, 'utf8').split('\n').filter((l) => !/^\s*(\/\/|\*)/.test(l)).join('\n');
    for (const m of src.matchAll(/\bt\(\s*(['"])([A-Za-z0-9_.\-]+)\1\s*[,)]/g)) if (!hUsed.has(m[2])) hUsed.set(m[2], path.relative(root, f));
    for (const m of src.matchAll(/\bt\(\s*`([A-Za-z0-9_.\-]*)\$\{/g)) if (m[1] && !hPrefixes.has(m[1])) hPrefixes.set(m[1], path.relative(root, f));
  }
  const hMissing = [...hUsed].filter(([k]) => !(k in hzh) || !(k in hen));
  check(hUsed.size > 50 && hMissing.length === 0, `hub: every t('key') of web/hub/js and its shared modules is in both catalogues${hMissing.length ? ': ' + hMissing.map(([k, f]) => `${k} (${f})`).join('; ') : ''}`);
  const hDead = [...hPrefixes].filter(([p]) => !Object.keys(hzh).some((k) => k.startsWith(p)));
  check(hDead.length === 0, `hub: every t(\`prefix.\${…}\`) has keys${hDead.length ? ': ' + hDead.map(([p, f]) => `${p} (${f})`).join('; ') : ''}`);
}

console.log(`i18n: ${passed} passed, ${failures.length} failed`);
process.exit(failures.length ? 1 : 0);
