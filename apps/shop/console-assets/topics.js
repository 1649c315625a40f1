/* global document, el, table, status, getJson, formValues, time, headersText, URLSearchParams */
// Topics: every topic with its partitions' offsets, and a tail of recent records filtered by key or value text.
'use strict';

function recordsTable(caption, records) {
  return table(
    caption,
    ['Time', 'Partition', 'Offset', 'Key', 'Value', 'Headers'],
    records.map((r) => [time(r.timestamp), String(r.partition), String(r.offset), r.key ?? '(null)', el('pre', { text: r.value ?? '(null)' }), el('pre', { text: headersText(r.headers) })]),
  );
}

async function list() {
  const topics = await getJson('/console/api/topics');
  document.getElementById('topics').replaceChildren(
    table(
      `${topics.length} topics`,
      ['Topic', 'Partitions', 'Records held', 'Offsets (partition: beginning–end)'],
      topics.map((t) => [t.name, String(t.partitions.length), String(t.records), t.partitions.map((p) => `${p.partition}: ${p.beginning}–${p.end}`).join('; ')]),
    ),
  );
  const select = document.getElementById('topic');
  select.replaceChildren(...topics.map((t) => el('option', { value: t.name, text: t.name })));
  status(`${topics.length} topics.`);
}

document.getElementById('tail').addEventListener('submit', async (e) => {
  e.preventDefault();
  const { topic, ...query } = formValues(e.target);
  try {
    const records = await getJson(`/console/api/topics/${encodeURIComponent(topic)}/records?${new URLSearchParams(query)}`);
    document.getElementById('records').replaceChildren(recordsTable(`${records.length} records of ${topic}, newest first`, records));
    status(`${records.length} records of ${topic}.`);
  } catch (err) {
    status(`Failed: ${err.message}`);
  }
});
list().catch((err) => status(`Failed: ${err.message}`));
