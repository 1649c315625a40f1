/** The stores guide's example: a Processor API processor that keeps a running total per key in a key-value store. */
import { Serdes, Stores, Topology, type KeyValueStore, type Processor, type ProcessorContext, type StreamRecord } from '@tributary/streams';
import { TopologyTestDriver } from '@tributary/streams/testing';

class RunningTotal implements Processor<string, number, string, number> {
  private context!: ProcessorContext<string, number>;
  private totals!: KeyValueStore<string, number>;

  init(context: ProcessorContext<string, number>): void {
    this.context = context;
    this.totals = context.getStateStore<KeyValueStore<string, number>>('totals');
  }

  process(record: StreamRecord<string, number>): void {
    const total = (this.totals.get(record.key) ?? 0) + record.value;
    this.totals.put(record.key, total);
    this.context.forward({ ...record, value: total });
  }
}

export function runningTotals(payments: Array<[string, number]>): { forwarded: number[]; stored: Record<string, number | null> } {
  const topology = new Topology()
    .addSource('payments', 'payments', { keySerde: Serdes.string(), valueSerde: Serdes.long() })
    .addProcessor('total', () => new RunningTotal(), 'payments')
    // A persistent (LMDB) store with a changelog topic; Stores.inMemoryKeyValueStore('totals') keeps it in memory.
    .addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('totals'), Serdes.string(), Serdes.long()), 'total')
    .addSink('out', 'totals', 'total', { keySerde: Serdes.string(), valueSerde: Serdes.long() });

  const driver = new TopologyTestDriver(topology, { applicationId: 'stores-guide' });
  try {
    const input = driver.createInputTopic('payments', Serdes.string(), Serdes.long());
    for (const [customer, amount] of payments) input.pipeInput(customer, amount);
    const forwarded = driver.createOutputTopic('totals', Serdes.string(), Serdes.long()).readValuesToList().map((v) => v ?? 0);
    const store = driver.getKeyValueStore<string, number>('totals');
    return { forwarded, stored: { alice: store.get('alice'), bob: store.get('bob') } };
  } finally {
    driver.close();
  }
}
