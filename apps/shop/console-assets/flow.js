/* global document, EventSource, el, table, status, getJson, time */
// Order flow: every record about one order across the flow's topics — from history, or watched live with timings.
'use strict';

function stateOf(value) {
  try {
    const v = JSON.parse(value);
    return v.state ?? (v.checkType ? `${v.checkType} ${v.validationResult}` : v.validationResult) ?? '';
  } catch {
    return '';
  }
}

async function history(id) {
  const flow = await getJson(`/console/api/flow/${encodeURIComponent(id)}`);
  document.getElementById('flow').replaceChildren(
    table(
      `Order ${id}: ${flow.steps.length} records in the topics`,
      ['Record time', 'Topic', 'Partition/offset', 'State or result', 'Value'],
      flow.steps.map((s) => [time(s.timestamp), s.topic, `${s.partition}/${s.offset}`, stateOf(s.value), el('pre', { text: s.value ?? '(null)' })]),
    ),
  );
  status(`${flow.steps.length} records for order ${id}.`);
}

let watching;
function watch(id) {
  watching?.close();
  const rows = el('tbody');
  const caption = el('caption', { text: `Watching order ${id}…` });
  const head = el('thead', {}, el('tr', {}, ...['+ms since first', 'Seen at', 'Topic', 'Partition/offset', 'State or result'].map((h) => el('th', { scope: 'col', text: h }))));
  document.getElementById('flow').replaceChildren(el('table', {}, caption, head, rows));
  let first;
  const events = new EventSource(`/console/api/flow/${encodeURIComponent(id)}/watch`);
  watching = events;
  events.addEventListener('ready', () => status(`Watching ${id}: post the order now.`));
  events.addEventListener('step', (e) => {
    const s = JSON.parse(e.data);
    first ??= s.seenAt;
    rows.append(el('tr', {}, ...[String(s.seenAt - first), time(s.seenAt), s.topic, `${s.partition}/${s.offset}`, stateOf(s.value)].map((c) => el('td', { text: c }))));
  });
  events.addEventListener('end', () => {
    events.close();
    const total = rows.children.length > 0 ? rows.lastElementChild.firstElementChild.textContent : '0';
    caption.textContent = `Order ${id}: ${rows.children.length} records, ${total} ms from the first to the outcome`;
    status(`Order ${id} reached its outcome in ${total} ms.`);
  });
  events.addEventListener('failed', () => {
    events.close();
    status(`Watching ${id} failed.`);
  });
}

document.getElementById('follow').addEventListener('submit', (e) => {
  e.preventDefault();
  const id = document.getElementById('id').value.trim();
  if (e.submitter && e.submitter.value === 'watch') return watch(id);
  history(id).catch((err) => status(`Failed: ${err.message}`));
});
