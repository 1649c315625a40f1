/* global document, EventSource, el, table, status */
// Applications: one card per streams app, replaced on every server-sent snapshot (one a second).
'use strict';

function lagRows(lag) {
  return Object.entries(lag).map(([partition, n]) => [partition, String(n)]);
}

function render(apps) {
  const root = document.getElementById('apps');
  root.setAttribute('aria-busy', 'false');
  root.replaceChildren(
    ...apps.map((a) => {
      const dropped = Object.entries(a.droppedRecords);
      const restore = a.restore.total > 0 ? `${a.restore.done} / ${a.restore.total}` : 'none under way';
      return el(
        'section',
        { class: 'card', 'aria-labelledby': `app-${a.name}` },
        el('h2', { id: `app-${a.name}` }, `${a.name} `, el('span', { class: `state-${a.state}`, text: a.state })),
        table(`${a.name}: figures`, ['Application id', 'Records/s', 'Processed', 'Commits', 'Last commit (ms)', 'Restore', 'Restored records', 'Restarts', 'Thread replacements'], [
          [a.applicationId, String(a.recordsPerSecond), String(a.processedRecords), String(a.commits), String(a.lastCommitMs), restore, String(a.restore.restoredRecords), String(a.restarts), String(a.threadReplacements)],
        ]),
        table(`${a.name}: tasks`, ['Active', 'Standby'], [[a.activeTasks.join(', ') || 'none', a.standbyTasks.join(', ') || 'none']]),
        lagRows(a.lag).length > 0 ? table(`${a.name}: lag per input partition`, ['Partition', 'Records behind'], lagRows(a.lag)) : el('p', { text: 'No lag reported.' }),
        dropped.length > 0 ? table(`${a.name}: dropped records`, ['Reason', 'Records'], dropped.map(([r, n]) => [r, String(n)])) : el('p', { text: 'No dropped records.' }),
        a.failure ? el('p', { class: 'state-ERROR', text: `Last failure at ${a.failure.at}: ${a.failure.reason}` }) : null,
      );
    }),
  );
  // Said once: a live region repeating itself every second would drown a screen reader.
  if (!document.body.dataset.live) status('Live: updated every second.');
  document.body.dataset.live = 'yes';
}

const events = new EventSource('/console/api/events');
events.addEventListener('applications', (e) => render(JSON.parse(e.data)));
events.onerror = () => status('Live updates interrupted; retrying…');
