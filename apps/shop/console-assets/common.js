/* global document, Node, FormData */
// Helpers every console screen uses: building elements safely (text, never HTML from data), tables, JSON calls.
'use strict';

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') node.textContent = String(v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== undefined && c !== null) node.append(c instanceof Node ? c : String(c));
  return node;
}

/** A table with a caption and header cells; `rows` are arrays of cell contents (text or nodes). */
function table(caption, headers, rows) {
  return el(
    'table',
    {},
    el('caption', { text: caption }),
    el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', { scope: 'col', text: h })))),
    el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c) => el('td', {}, c === undefined || c === null ? '' : c))))),
  );
}

function status(text) {
  document.getElementById('status').textContent = text;
}

async function getJson(url, init) {
  const res = await fetch(url, init);
  const body = await res.json();
  if (!res.ok) throw new Error(body.error || `HTTP ${res.status}`);
  return body;
}

function formValues(form) {
  const out = {};
  for (const [k, v] of new FormData(form)) if (v !== '') out[k] = v;
  return out;
}

function time(ms) {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

function headersText(headers) {
  return Object.entries(headers)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
}

// Shared with the screen scripts, which load after this one.
Object.assign(globalThis, { el, table, status, getJson, formValues, time, headersText });
