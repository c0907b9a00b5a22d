// SPDX-License-Identifier: Apache-2.0
// h(tag, attrs, children): DOM from plain data. Text is always set with textContent and
// handlers with addEventListener: never innerHTML, so SMS text and names stay inert.

import { t } from './i18n.js';

export function h(tag, attrs, children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'class') el.className = v;
      else if (k === 'value') el.value = v;
      else if (k === 'checked') el.checked = !!v;
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  if (children === null || children === undefined || children === false) return;
  if (Array.isArray(children)) {
    for (const c of children) append(el, c);
  } else if (children instanceof Node) {
    el.appendChild(children);
  } else {
    el.appendChild(document.createTextNode(String(children)));
  }
}

// SVG elements (for the chart and signal bars).
export function svg(tag, attrs, children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  if (typeof children === 'string') el.textContent = children;
  else if (Array.isArray(children)) children.forEach((c) => c && el.appendChild(c));
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

// The office's time zone (minutes east of UTC), as the appliance serves it: every time on the
// panel is shown in it, whatever the browser's own zone. China (+8) until the server says.
let officeOffset = 480;

export function setOfficeOffset(minutes) {
  if (Number.isInteger(minutes)) officeOffset = minutes;
}

export function getOfficeOffset() {
  return officeOffset;
}

// "2024-03-09 21:00": a Unix time in the office's zone.
export function fmtTime(sec) {
  if (!sec) return '';
  const d = new Date((sec + officeOffset * 60) * 1000);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
}

// A <input type="datetime-local"> value ("2024-03-09T21:00"), read as office time: Unix seconds.
export function parseOfficeTime(value) {
  const ms = Date.parse(`${value}:00Z`);
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000) - officeOffset * 60;
}

// "约 2 秒", "约 5 分钟", "约 1.5 小时" (units from the language catalogue).
export function fmtDuration(sec) {
  if (sec === null || sec === undefined) return '';
  if (sec < 60) return t('time.seconds', { n: Math.max(1, Math.round(sec)) });
  if (sec < 3600) return t('time.minutes', { n: Math.round(sec / 60) });
  return t('time.hours', { n: Number((sec / 3600).toFixed(1)) });
}
