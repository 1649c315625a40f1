/* global document, el, table, status, getJson, formValues, time, URLSearchParams */
// Dead letters: the records an app set aside with their error headers; the selected ones are redriven to their origin.
'use strict';

let shown = '';

async function show() {
  const { topic, ...query } = formValues(document.getElementById('pick'));
  shown = topic;
  const letters = await getJson(`/console/api/dead-letters/${encodeURIComponent(topic)}?${new URLSearchParams(query)}`);
  document.getElementById('letters').replaceChildren(
    table(
      `${letters.length} dead letters in ${topic}, newest first`,
      ['Redrive', 'Time', 'Partition/offset', 'Key', 'Value', 'Error', 'Origin'],
      letters.map((d) => {
        const id = `dl-${d.partition}-${d.offset}`;
        return [
          el('span', {}, el('input', { type: 'checkbox', id, name: 'record', value: `${d.partition}:${d.offset}` }), el('label', { for: id, text: ` select ${d.key ?? 'record'} (${d.partition}/${d.offset})` })),
          time(d.timestamp),
          `${d.partition}/${d.offset}`,
          d.key ?? '(null)',
          el('pre', { text: d.value ?? '(null)' }),
          el('pre', { text: `${d.error.exception ?? ''}\n${d.error.message ?? ''}` }),
          `${d.error.topic ?? '?'} ${d.error.partition ?? '?'}/${d.error.offset ?? '?'}`,
        ];
      }),
    ),
  );
  status(`${letters.length} dead letters in ${topic}.`);
}

document.getElementById('pick').addEventListener('submit', (e) => {
  e.preventDefault();
  show().catch((err) => status(`Failed: ${err.message}`));
});

document.getElementById('redrive').addEventListener('submit', async (e) => {
  e.preventDefault();
  const records = [...document.querySelectorAll('input[name="record"]:checked')].map((box) => {
    const [partition, offset] = box.value.split(':').map(Number);
    return { partition, offset };
  });
  if (records.length === 0) return status('Select at least one dead letter to redrive.');
  try {
    const outcome = await getJson(`/console/api/dead-letters/${encodeURIComponent(shown)}/redrive`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ records }),
    });
    const to = [...new Set(outcome.redriven.map((r) => r.to))].join(', ');
    status(`Redriven ${outcome.redriven.length} record(s)${to ? ` to ${to}` : ''}; skipped ${outcome.skipped.length}.`);
  } catch (err) {
    status(`Redrive failed: ${err.message}`);
  }
});
document.getElementById('select-all').addEventListener('click', () => {
  for (const box of document.querySelectorAll('input[name="record"]')) box.checked = true;
});
if (document.getElementById('topic').value) show().catch((err) => status(`Failed: ${err.message}`));
