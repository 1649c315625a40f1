// sorted-btree is CommonJS with `exports.default`; from Node's ESM loader the default import is the exports object.
import sortedBtree from 'sorted-btree';

export const BTree = sortedBtree.default;
export type BTree<K, V> = InstanceType<typeof sortedBtree.default<K, V>>;
