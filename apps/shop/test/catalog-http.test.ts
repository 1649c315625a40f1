/**
 * The catalog contract over HTTP on `npm start`'s default: the embedded (MiniSearch) index, on the embedded log
 * and, when KAFKA_BOOTSTRAP_SERVERS names a broker (as `npm test` does), on Apache Kafka too.
 */
import { after } from 'node:test';
import { catalogContract } from './catalog-contract.js';
import { startCatalogShop } from './catalog-support.js';
import { kafkaBootstrapServers, tempDir } from './support.js';

const dir = tempDir('catalog-embedded');
after(() => dir.remove());

catalogContract('embedded search, embedded log', () => startCatalogShop(dir.path, { engine: 'embedded' }));

const kafka = kafkaBootstrapServers;
if (kafka !== undefined) {
  const kafkaDir = tempDir('catalog-kafka');
  after(() => kafkaDir.remove());
  catalogContract('embedded search, Kafka', () => startCatalogShop(kafkaDir.path, { engine: 'embedded' }, kafka));
}
