// SPDX-License-Identifier: Apache-2.0
// The one way the panel talks to the appliance: JSON requests with the CSRF token,
// error toasts, and live events (SSE, with polling as fallback).

import { h } from './h.js';
import { t } from './i18n.js';

let csrf = '';
export function setCsrf(token) { csrf = token || ''; }

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// api('GET', '/messages') → parsed JSON; throws ApiError (and shows a toast unless quiet).
export async function api(method, path, body, opts = {}) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-CSRF-Token'] = csrf;
  if (opts.background) headers['X-Cunxin-Background'] = '1';
  let payload;
  if (body instanceof Blob || body instanceof ArrayBuffer) {
    payload = body;
    headers['Content-Type'] = 'application/octet-stream';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  let res;
  try {
    res = await fetch(`/api/v1${path}`, { method, headers, body: payload, credentials: 'same-origin' });
  } catch (e) {
    if (!opts.quiet) toast(t('error.network'), 'error');
    throw new ApiError(0, 'network', String(e));
  }
  const type = res.headers.get('Content-Type') || '';
  const data = type.startsWith('application/json') ? await res.json() : await res.text();
  if (!res.ok) {
    const code = data && data.error ? data.error.code : 'http_' + res.status;
    const msg = data && data.error ? data.error.message : res.statusText;
    if (res.status === 401 && !opts.quiet && code === 'unauthorized') {
      location.hash = '#/login';
    } else if (!opts.quiet) {
      toast(t('error.' + code) !== 'error.' + code ? t('error.' + code) : msg, 'error');
    }
    throw new ApiError(res.status, code, msg);
  }
  return data;
}

export function toast(text, kind = 'info') {
  const box = document.getElementById('toasts');
  const el = h('div', { class: `toast ${kind}` }, text);
  box.appendChild(el);
  setTimeout(() => el.remove(), kind === 'error' ? 6000 : 3000);
}

// Live events: one EventSource; when the server refuses (too many streams) or it breaks,
// poll every 10 s instead. Listeners get (eventName, data).
const listeners = new Set();
let source = null;
let pollTimer = null;
export function onLive(fn) { listeners.add(fn); return () => listeners.delete(fn); }
function emit(name, data) { for (const fn of listeners) fn(name, data); }

// 'message': a new incoming message (from the core); 'modems': modem states changed;
// 'campaign': a campaign's progress changed (from the core, at most once a second each);
// the others are published by the HTTP layer after changes made through the API.
const EVENTS = ['message', 'modems', 'campaign', 'message.updated', 'messages.queued', 'message.status',
  'campaign.updated', 'campaign.progress', 'modem.updated'];

export function startLive() {
  stopLive();
  if (!window.EventSource) return startPolling();
  source = new EventSource('/api/v1/events');
  for (const e of EVENTS) {
    source.addEventListener(e, (ev) => {
      let data = null;
      try { data = JSON.parse(ev.data); } catch (_) { data = null; }
      emit(e, data);
    });
  }
  source.onerror = () => {
    if (source && source.readyState === EventSource.CLOSED) {
      source = null;
      startPolling();
    }
  };
  source.onopen = () => { document.body.dataset.live = 'sse'; };
}

function startPolling() {
  document.body.dataset.live = 'poll';
  if (pollTimer) return;
  pollTimer = setInterval(() => emit('poll', null), 10000);
}

export function stopLive() {
  if (source) source.close();
  source = null;
  if (pollTimer) clearInterval(pollTimer);
  pollTimer = null;
}
