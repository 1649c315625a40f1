/* global document, el, table, status, getJson, time */
// Order flow: every record about one order across the flow's topics, in time order, with time since the first.
'use strict';

function stateOf(value) {
  try {
    const v = JSON.parse(value);
    return v.state ?? v.validationResult ?? '';
  } catch {
    return '';
  }
}

document.getElementById('follow').addEventListener('submit', async (e) => {
  e.preventDefault();
  const id = document.getElementById('id').value.trim();
  try {
    const flow = await getJson(`/console/api/flow/${encodeURIComponent(id)}`);
    document.getElementById('flow').replaceChildren(
      table(
        `Order ${id}: ${flow.steps.length} records over ${flow.totalMs} ms`,
        ['+ms', 'Time', 'Topic', 'Partition/offset', 'State or result', 'Value'],
        flow.steps.map((s) => [String(s.sinceStartMs), time(s.timestamp), s.topic, `${s.partition}/${s.offset}`, stateOf(s.value), el('pre', { text: s.value ?? '(null)' })]),
      ),
    );
    status(`${flow.steps.length} records for order ${id}, ${flow.totalMs} ms end to end.`);
  } catch (err) {
    status(`Failed: ${err.message}`);
  }
});
