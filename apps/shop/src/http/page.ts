/**
 * `GET /`: a one-file page (inline script, no build step) to set stock, place orders and watch each order move
 * from CREATED to VALIDATED or FAILED through the same API everyone else uses.
 */
import { CATALOG_PAGE_SECTION } from '../catalog/catalog-page.js';
import { PRODUCTS } from '../schemas.js';

const options = PRODUCTS.map((p) => `<option>${p}</option>`).join('');

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Tributary shop</title>
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #222; }
  h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 1.5rem; }
  form { display: flex; gap: .5rem; flex-wrap: wrap; align-items: end; }
  label { display: flex; flex-direction: column; font-size: .8rem; }
  input, select, button { font: inherit; padding: .25rem .4rem; }
  table { border-collapse: collapse; width: 100%; margin-top: .5rem; }
  td, th { border-bottom: 1px solid #ddd; padding: .3rem; text-align: left; }
  .CREATED { color: #a60; } .VALIDATED { color: #080; font-weight: bold; } .FAILED { color: #c00; font-weight: bold; }
  #error { color: #c00; min-height: 1.2em; }
</style>
</head>
<body>
<h1>Tributary shop</h1>
<p id="error"></p>
<h2>Stock</h2>
<form id="stock">
  <label>Product <select name="product">${options}</select></label>
  <label>Quantity <input name="quantity" type="number" min="0" step="1" value="10" required></label>
  <button>Set stock</button>
</form>
<table><thead><tr><th>Product</th><th>Quantity</th><th>Reserved</th></tr></thead><tbody id="stock-rows"></tbody></table>
<h2>Place an order</h2>
<form id="order">
  <label>Customer id <input name="customerId" type="number" step="1" value="1" required></label>
  <label>Product <select name="product">${options}</select></label>
  <label>Quantity <input name="quantity" type="number" step="1" value="1" required></label>
  <label>Price <input name="price" type="number" step="0.01" value="25" required></label>
  <button>Order</button>
</form>
<h2>Orders</h2>
<table><thead><tr><th>Id</th><th>Product</th><th>Qty</th><th>State</th></tr></thead><tbody id="orders"></tbody></table>
<script>
const products = ${JSON.stringify(PRODUCTS)};
const $ = (id) => document.getElementById(id);
const showError = (msg) => { $('error').textContent = msg || ''; };
async function call(method, url, body) {
  const res = await fetch(url, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
  const json = await res.json().catch(() => ({}));
  return { status: res.status, json };
}
async function refreshStock() {
  const rows = await Promise.all(products.map(async (p) => {
    const r = await call('GET', '/v1/inventory/' + p);
    return r.status === 200 ? r.json : { product: p, quantity: '-', reserved: '-' };
  }));
  $('stock-rows').innerHTML = rows.map((r) => '<tr><td>' + r.product + '</td><td>' + r.quantity + '</td><td>' + r.reserved + '</td></tr>').join('');
}
$('stock').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = new FormData(e.target);
  const r = await call('PUT', '/v1/inventory/' + f.get('product'), { quantity: Number(f.get('quantity')) });
  showError(r.status === 200 ? '' : r.json.error);
  refreshStock();
});
$('order').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = new FormData(e.target);
  const order = { id: 'web-' + Date.now().toString(36) + Math.random().toString(36).slice(2, 6), customerId: Number(f.get('customerId')),
    product: f.get('product'), quantity: Number(f.get('quantity')), price: Number(f.get('price')) };
  const r = await call('POST', '/v1/orders', order);
  if (r.status !== 201) return showError(r.json.error);
  showError('');
  const row = document.createElement('tr');
  row.innerHTML = '<td>' + order.id + '</td><td>' + order.product + '</td><td>' + order.quantity + '</td><td class="CREATED">CREATED</td>';
  $('orders').prepend(row);
  const cell = row.lastChild;
  for (let i = 0; i < 30; i++) {
    const v = await call('GET', '/v1/orders/' + encodeURIComponent(order.id) + '/validated?timeout=10000');
    if (v.status === 200) { cell.textContent = v.json.state; cell.className = v.json.state; break; }
  }
  refreshStock();
});
refreshStock();
</script>
${CATALOG_PAGE_SECTION}
</body>
</html>
`;
