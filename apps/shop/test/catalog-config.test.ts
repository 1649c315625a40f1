/** The catalog's search-engine settings from the environment. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_OPENSEARCH_URL, loadSearchConfig } from '../src/catalog/catalog-config.js';
import { ConfigError } from '../src/config.js';

describe('search configuration', () => {
  it('defaults to the embedded index; empty variables count as unset', () => {
    assert.deepEqual(loadSearchConfig({}), { engine: 'embedded' });
    assert.deepEqual(loadSearchConfig({ SEARCH_ENGINE: '  ' }), { engine: 'embedded' });
  });

  it('selects OpenSearch with its URL and index', () => {
    assert.deepEqual(loadSearchConfig({ SEARCH_ENGINE: 'opensearch' }), { engine: 'opensearch', url: DEFAULT_OPENSEARCH_URL, index: 'catalog-products' });
    assert.deepEqual(loadSearchConfig({ SEARCH_ENGINE: 'opensearch', OPENSEARCH_URL: 'http://search:9200', OPENSEARCH_INDEX: 'shop-catalog' }), {
      engine: 'opensearch',
      url: 'http://search:9200',
      index: 'shop-catalog',
    });
  });

  it('names the bad variable', () => {
    assert.throws(() => loadSearchConfig({ SEARCH_ENGINE: 'solr' }), (e: unknown) => e instanceof ConfigError && /SEARCH_ENGINE/.test(e.message));
    assert.throws(() => loadSearchConfig({ OPENSEARCH_URL: 'not a url' }), (e: unknown) => e instanceof ConfigError && /OPENSEARCH_URL/.test(e.message));
    assert.throws(() => loadSearchConfig({ OPENSEARCH_INDEX: 'Upper_Case' }), (e: unknown) => e instanceof ConfigError && /OPENSEARCH_INDEX/.test(e.message));
  });
});
