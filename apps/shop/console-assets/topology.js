/* global document, EventSource, dagre, table, status, getJson */
// Topology: the app's nodes, topics and stores laid out top to bottom by dagre and drawn as SVG.
'use strict';

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  node.append(...children);
  return node;
}
const FILL = { source: '#d6eaff', processor: '#ffffff', sink: '#ffe3c2', topic: '#e4f4d9', 'internal-topic': '#f0f0f0', store: '#f4e0f7' };

function draw(graph) {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 16, ranksep: 28, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of graph.nodes) g.setNode(n.id, { width: Math.min(360, 7 * n.label.length + 20), height: 26, node: n });
  for (const e of graph.edges) if (g.hasNode(e.from) && g.hasNode(e.to)) g.setEdge(e.from, e.to);
  dagre.layout(g);
  const { width, height } = g.graph();
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, 'aria-labelledby': 'graph-title' }, svg('title', { id: 'graph-title' }, `Topology of ${graph.applicationId}`));
  root.append(
    svg('defs', {}, svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto' }, svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#555' }))),
  );
  for (const e of g.edges()) {
    const pts = g.edge(e).points;
    root.append(svg('path', { d: `M${pts.map((p) => `${p.x},${p.y}`).join(' L')}`, fill: 'none', stroke: '#555', 'marker-end': 'url(#arrow)' }));
  }
  for (const id of g.nodes()) {
    const box = g.node(id);
    const n = box.node;
    const label = `${n.kind.replace('-', ' ')} ${n.label}${n.subtopology !== undefined ? `, sub-topology ${n.subtopology}` : ''}`;
    // Each node takes keyboard focus and names itself, so the graph can be walked without a mouse.
    root.append(
      svg(
        'g',
        { tabindex: 0, role: 'img', 'aria-label': label, class: `node k-${n.kind}` },
        svg('title', {}, label),
        svg('rect', { x: box.x - box.width / 2, y: box.y - box.height / 2, width: box.width, height: box.height, rx: n.kind.endsWith('topic') ? 12 : 3, fill: FILL[n.kind], stroke: '#333' }),
        svg('text', { x: box.x, y: box.y + 4, 'text-anchor': 'middle', 'font-size': 11, 'font-family': 'monospace' }, n.label),
      ),
    );
  }
  document.getElementById('graph').replaceChildren(root);
}

// The app's figures above the graph, kept current by the same server-sent events as the applications screen.
let events;
function live(name, first) {
  const line = document.getElementById('live');
  const show = (a) => {
    line.textContent = a
      ? `${name}: ${a.state}, ${a.recordsPerSecond} records/s, ${a.processedRecords} records processed, tasks ${a.activeTasks.join(', ') || 'none'}.`
      : `${name} is not running in this process.`;
  };
  show(first);
  events?.close();
  events = new EventSource('/console/api/events');
  events.addEventListener('applications', (e) => show(JSON.parse(e.data).find((a) => a.name === name)));
}

async function load(name) {
  status(`Loading ${name}…`);
  const [graph, apps] = await Promise.all([getJson(`/console/api/topology/${encodeURIComponent(name)}`), getJson('/console/api/applications')]);
  const app = apps.find((a) => a.name === name);
  draw(graph);
  document.getElementById('summary').replaceChildren(
    table('Sub-topologies', ['Id', 'Kind', 'Nodes'], graph.subtopologies.map((s) => [String(s.id), s.global ? 'global store' : 'tasks', s.nodes.join(', ')])),
    table('Stores', ['Store', 'Changelog'], graph.stores.map((s) => [s.name, s.changelog])),
    table('Internal topics', ['Topic'], graph.internalTopics.map((t) => [t])),
  );
  live(name, app);
  document.getElementById('text').textContent = graph.text;
  status(`Drew ${name}: ${graph.nodes.length} nodes, ${graph.edges.length} edges.`);
}

const picker = document.getElementById('app');
document.getElementById('pick').addEventListener('submit', (e) => {
  e.preventDefault();
  load(picker.value).catch((err) => status(`Failed: ${err.message}`));
});
if (picker.value) load(picker.value).catch((err) => status(`Failed: ${err.message}`));
