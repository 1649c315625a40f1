/**
 * The catalog part of the shop's page (`GET /`): a search box with price bounds, brand and category facets to
 * click, and the hits — all through `GET /v1/catalog/search`. Feed text reaches the page, so every value is
 * escaped before it becomes HTML.
 */
export const CATALOG_PAGE_SECTION = `
<h2>Catalog</h2>
<form id="catalog-search">
  <label>Search <input name="q" type="search" placeholder="e.g. kettle (typos welcome)" autocomplete="off"></label>
  <label>Min price € <input name="minPrice" type="number" min="0" step="0.01"></label>
  <label>Max price € <input name="maxPrice" type="number" min="0" step="0.01"></label>
  <button>Search</button>
</form>
<div id="catalog-facets" class="facets"></div>
<p id="catalog-total"></p>
<table><thead><tr><th>GTIN</th><th>Title</th><th>Brand</th><th>Price</th><th>Score</th></tr></thead><tbody id="catalog-hits"></tbody></table>
<style>
  .facets { display: flex; gap: 2rem; margin-top: .5rem; font-size: .9rem; }
  .facets a { margin-right: .6rem; cursor: pointer; color: #06c; }
  .facets a.on { font-weight: bold; color: #222; }
</style>
<script>
(() => {
  const form = document.getElementById('catalog-search');
  const filters = { brand: undefined, category: undefined };
  const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  async function run() {
    const f = new FormData(form);
    const params = new URLSearchParams({ q: f.get('q') || '', size: '20' });
    for (const k of ['minPrice', 'maxPrice']) if (f.get(k)) params.set(k, f.get(k));
    for (const [k, v] of Object.entries(filters)) if (v !== undefined) params.set(k, v);
    const res = await fetch('/v1/catalog/search?' + params);
    const body = await res.json().catch(() => ({}));
    if (res.status !== 200) { document.getElementById('catalog-total').textContent = body.error || ('HTTP ' + res.status); return; }
    document.getElementById('catalog-total').textContent = body.total + ' product(s)';
    document.getElementById('catalog-hits').innerHTML = body.hits.map((h) =>
      '<tr><td>' + esc(h.gtin) + '</td><td>' + esc(h.title) + '</td><td>' + esc(h.brand) + '</td><td>' +
      esc(h.price.amount.toFixed(2)) + ' ' + esc(h.price.currency) + '</td><td>' + esc(h.score.toFixed(2)) + '</td></tr>').join('');
    const facetHtml = (name) => '<div><b>' + name + '</b><br>' + Object.entries(body.facets[name]).map(([value, count]) =>
      '<a data-facet="' + esc(name) + '" data-value="' + esc(value) + '" class="' + (filters[name] === value ? 'on' : '') + '">' +
      esc(value) + ' (' + count + ')</a>').join('') + '</div>';
    document.getElementById('catalog-facets').innerHTML = facetHtml('brand') + facetHtml('category');
  }
  document.getElementById('catalog-facets').addEventListener('click', (e) => {
    const a = e.target.closest('a[data-facet]');
    if (!a) return;
    const { facet, value } = a.dataset;
    filters[facet] = filters[facet] === value ? undefined : value;
    run();
  });
  form.addEventListener('submit', (e) => { e.preventDefault(); run(); });
  let timer;
  form.q.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(run, 250); });
  run();
})();
</script>
`;
