// SPDX-License-Identifier: Apache-2.0
// Shared by the browser tests: `cunxin demo` on a free loopback port in a fresh data dir,
// Debian's headless Chromium, first-start setup through the page, API calls with the
// session's CSRF token, bounded waits, ok/FAIL lines and a final "N passed, N failed".

import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const ADMIN = { username: 'admin', password: 'correct horse battery' };

export function reporter(name) {
  const failures = [];
  let passed = 0;
  return {
    failures,
    check(cond, what) {
      if (cond) { passed++; console.log(`ok   ${what}`); } else { failures.push(what); console.log(`FAIL ${what}`); }
      return !!cond;
    },
    summary() { console.log(`${name}: ${passed} passed, ${failures.length} failed`); return failures.length ? 1 : 0; },
  };
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

export async function until(what, fn, ms = 30000, step = 200) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    try { last = await fn(); if (last) return last; } catch (e) { last = e; }
    await new Promise((r) => setTimeout(r, step));
  }
  throw new Error(`timed out waiting for ${what} (${last})`);
}

// Starts the demo and Chromium; `limitMs` ends everything (exit 1) if the test overruns.
export async function start(bin, { limitMs = 280000, replyEvery = 3 } = {}) {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cunxin-browser-'));
  const base = `http://127.0.0.1:${port}`;
  const demo = spawn(bin, ['demo', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, '--reply-every', String(replyEvery)],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  demo.stdout.on('data', (d) => { output += d; });
  demo.stderr.on('data', (d) => { output += d; });
  const env = { base, dataDir, demo, browser: null, output: () => output };
  env.stop = async (code) => {
    clearTimeout(env.hardStop);
    try { if (env.browser) await env.browser.close(); } catch (_) { /* closing anyway */ }
    demo.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    if (demo.exitCode === null) demo.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
    process.exit(code);
  };
  env.hardStop = setTimeout(() => { console.error('browser test: overall time limit'); env.stop(1); }, limitMs);
  env.code = await until('the setup code on the console', () => {
    const m = output.match(/setup code: ([A-Z0-9]{4}-[A-Z0-9]{4})/);
    return m && m[1];
  }, 60000);
  await until('the server', async () => (await fetch(`${base}/api/v1/health`)).ok, 30000);
  env.browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    // --lang: the browser's own widgets (date fields, file pickers) in Chinese, as on an office PC.
    args: ['--headless', '--lang=zh-CN', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return env;
}

// Creates the admin through the setup page; returns after the dashboard shows.
export async function setupAdmin(page, env) {
  await page.goto(env.base + '/');
  await page.waitForSelector('#setup-code', { timeout: 15000 });
  await page.fill('#setup-code', env.code);
  await page.fill('#setup-user', ADMIN.username);
  await page.fill('#setup-pass', ADMIN.password);
  await page.click('#setup-submit');
  await page.waitForSelector('#nav-dashboard', { state: 'attached', timeout: 15000 });
}

// Logs a page's context in (a fresh context has no session).
export async function login(page, env, user) {
  await page.goto(env.base + '/#/login');
  await page.waitForSelector('#login-user', { timeout: 15000 });
  await page.fill('#login-user', user.username);
  await page.fill('#login-pass', user.password);
  await page.click('#login-submit');
  await page.waitForSelector('#nav-dashboard', { state: 'attached', timeout: 15000 });
}

// JSON API call in the page's session (cookie + CSRF token).
export async function call(page, env, method, p, body) {
  const state = await (await page.request.get(`${env.base}/api/v1/auth/state`)).json();
  const res = await page.request.fetch(`${env.base}/api/v1${p}`, {
    method, headers: { 'X-CSRF-Token': state.csrf || '', 'Content-Type': 'application/json', Accept: 'application/json' },
    data: body === undefined ? undefined : JSON.stringify(body),
  });
  const type = res.headers()['content-type'] || '';
  return { status: res.status(), headers: res.headers(), body: type.startsWith('application/json') ? await res.json() : await res.text() };
}

// Routes of web/js/main.js (PAGES), with an id for the two that take one.
export function routesOf(mainJs) {
  const block = mainJs.slice(mainJs.indexOf('const PAGES'), mainJs.indexOf('};', mainJs.indexOf('const PAGES')));
  return [...block.matchAll(/^\s*(\w+):\s*\(\)\s*=>\s*import/mg)].map((m) => m[1]);
}

// Marks what the page shows now as stale; settled() then waits for the next render.
export async function mark(page) {
  await page.evaluate(() => { const n = document.querySelector('#main > *'); if (n) n.dataset.stale = '1'; });
}

// Waits for a render newer than mark() that contains `sel`.
export async function settled(page, sel) {
  // Polled with evaluate(): waitForFunction needs eval, which the panel's CSP forbids.
  await until(`a fresh render with ${sel}`, () => page.evaluate((s) => {
    const n = document.querySelector('#main > *');
    return !!n && !n.dataset.stale && (!s || !!document.querySelector(s));
  }, sel || null), 15000, 100);
}

// Opens a route and waits until its page (with `sel`) has been rendered.
export async function go(page, env, hash, sel) {
  await mark(page);
  await page.goto(`${env.base}/${hash}`);
  await settled(page, sel);
}
