/**
 * The console's pages: plain server-rendered HTML (navigation, headings, labelled forms) and one small script per
 * screen from `console-assets/` that fills it in from the JSON routes. No front-end build step.
 */
export const SCREENS = [
  { path: 'applications', title: 'Applications' },
  { path: 'topology', title: 'Topology' },
  { path: 'topics', title: 'Topics' },
  { path: 'stores', title: 'Stores' },
  { path: 'dead-letters', title: 'Dead letters' },
  { path: 'flow', title: 'Order flow' },
] as const;

export type ScreenPath = (typeof SCREENS)[number]['path'];

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

export function options(values: ReadonlyArray<{ value: string; label: string }>): string {
  return values.map((v) => `<option value="${escapeHtml(v.value)}">${escapeHtml(v.label)}</option>`).join('');
}

export function page(screen: ScreenPath, body: string, scripts: ReadonlyArray<string> = []): string {
  const title = SCREENS.find((s) => s.path === screen)?.title ?? screen;
  const nav = SCREENS.map(
    (s) => `<li><a href="/console/${s.path}"${s.path === screen ? ' aria-current="page"' : ''}>${escapeHtml(s.title)}</a></li>`,
  ).join('');
  const js = [...scripts, 'common.js', `${screen}.js`].map((s) => `<script src="/console/assets/${s}" defer></script>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Tributary console</title><link rel="stylesheet" href="/console/assets/console.css">${js}</head>
<body><a class="skip" href="#main">Skip to content</a>
<header><p class="brand">Tributary console</p><nav aria-label="Console screens"><ul>${nav}</ul></nav></header>
<main id="main"><h1>${escapeHtml(title)}</h1>${body}<p id="status" role="status" aria-live="polite"></p></main></body></html>`;
}
