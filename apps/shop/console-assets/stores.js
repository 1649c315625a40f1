/* global document, el, table, status, getJson, formValues, URLSearchParams */
// Stores: one key, a key range or the first entries of a key-value store, through interactive queries.
'use strict';

document.getElementById('browse').addEventListener('submit', async (e) => {
  e.preventDefault();
  const { store, ...query } = formValues(e.target);
  const [app, name] = store.split('/');
  try {
    const answer = await getJson(`/console/api/stores/${encodeURIComponent(app)}/${encodeURIComponent(name)}?${new URLSearchParams(query)}`);
    document.getElementById('entries').replaceChildren(
      table(
        `${answer.entries.length} entries of ${answer.store}${answer.truncated ? ' (more exist)' : ''}, about ${answer.approximateEntries} in all`,
        ['Key', 'Value'],
        answer.entries.map((kv) => [JSON.stringify(kv.key), el('pre', { text: JSON.stringify(kv.value, null, 1) })]),
      ),
    );
    status(`${answer.entries.length} entries of ${answer.store}.`);
  } catch (err) {
    status(`Failed: ${err.message}`);
  }
});
