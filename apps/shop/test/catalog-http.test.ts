/**
 * The catalog contract over HTTP on `npm start`'s default: the embedded log and the embedded (MiniSearch) index.
 */
import { after } from 'node:test';
import { catalogContract } from './catalog-contract.js';
import { startCatalogShop } from './catalog-support.js';
import { tempDir } from './support.js';

const dir = tempDir('catalog-embedded');
after(() => dir.remove());

catalogContract('embedded', () => startCatalogShop(dir.path, { engine: 'embedded' }));
