/* global document, EventSource, el, table, status */
// Applications: one card per streams app, replaced on every server-sent snapshot (one a second).
'use strict';

function sum(record) {
  return Object.values(record).reduce((a, b) => a + b, 0);
}

function render(apps) {
  const root = document.getElementById('apps');
  root.setAttribute('aria-busy', 'false');
  const overview = table(
    `${apps.length} applications in this process`,
    ['Application', 'State', 'Records/s', 'Processed', 'Commits', 'Last commit (ms)', 'Lag (records)', 'Restore', 'Dropped', 'Restarts', 'Active tasks', 'Standby tasks'],
    apps.map((a) => [
      a.name,
      el('span', { class: `state-${a.state}`, text: a.state }),
      String(a.recordsPerSecond),
      String(a.processedRecords),
      String(a.commits),
      String(a.lastCommitMs),
      String(sum(a.lag)),
      a.restore.total > 0 ? `${a.restore.done} / ${a.restore.total}` : '—',
      String(sum(a.droppedRecords)),
      String(a.restarts),
      String(a.activeTasks.length),
      String(a.standbyTasks.length),
    ]),
  );
  // Details stay open across updates: the operator opened them.
  const open = new Set([...root.querySelectorAll('details[open]')].map((d) => d.dataset.app));
  const details = apps.map((a) => {
    const dropped = Object.entries(a.droppedRecords);
    const lag = Object.entries(a.lag);
    const d = el(
      'details',
      { 'data-app': a.name, open: open.has(a.name) },
      el('summary', {}, `${a.name} (${a.applicationId}) `, el('span', { class: `state-${a.state}`, text: a.state })),
      table(`${a.name}: tasks`, ['Active', 'Standby'], [[a.activeTasks.join(', ') || 'none', a.standbyTasks.join(', ') || 'none']]),
      lag.length > 0 ? table(`${a.name}: lag per input partition`, ['Partition', 'Records behind'], lag.map(([p, n]) => [p, String(n)])) : el('p', { text: 'No lag reported.' }),
      dropped.length > 0 ? table(`${a.name}: dropped records`, ['Reason', 'Records'], dropped.map(([r, n]) => [r, String(n)])) : el('p', { text: 'No dropped records.' }),
      el('p', { text: `Restored ${a.restore.restoredRecords} changelog records since start; ${a.threadReplacements} thread replacements.` }),
      a.failure ? el('p', { class: 'state-ERROR', text: `Last failure at ${a.failure.at}: ${a.failure.reason}` }) : null,
    );
    return d;
  });
  root.replaceChildren(overview, el('h2', { text: 'Details' }), ...details);
  // Said once: a live region repeating itself every second would drown a screen reader.
  if (!document.body.dataset.live) status('Live: updated every second.');
  document.body.dataset.live = 'yes';
}

const events = new EventSource('/console/api/events');
events.addEventListener('applications', (e) => render(JSON.parse(e.data)));
events.onerror = () => status('Live updates interrupted; retrying…');
