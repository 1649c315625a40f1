import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rangeAssign } from '../../../src/backend/embedded/range-assignor.js';
import { fmt } from './helpers.js';

test('range assignor cuts each topic into contiguous ranges, extra partitions to the first members', () => {
  const both = new Set(['a', 'b']);
  const result = rangeAssign(
    [
      { memberId: 'c2-x', groupInstanceId: undefined, topics: both },
      { memberId: 'c1-x', groupInstanceId: undefined, topics: both },
      { memberId: 'c3-x', groupInstanceId: undefined, topics: new Set(['a']) },
    ],
    new Map([
      ['a', 7],
      ['b', 3],
    ]),
  );
  assert.equal(fmt(result.get('c1-x')!), 'a-0,a-1,a-2,b-0,b-1');
  assert.equal(fmt(result.get('c2-x')!), 'a-3,a-4,b-2');
  assert.equal(fmt(result.get('c3-x')!), 'a-5,a-6');
});

test('static members sort by group.instance.id ahead of dynamic members', () => {
  const t = new Set(['t']);
  const result = rangeAssign(
    [
      { memberId: 'a', groupInstanceId: undefined, topics: t },
      { memberId: 'z', groupInstanceId: 'i-2', topics: t },
      { memberId: 'y', groupInstanceId: 'i-1', topics: t },
    ],
    new Map([['t', 3]]),
  );
  assert.equal(fmt(result.get('y')!), 't-0');
  assert.equal(fmt(result.get('z')!), 't-1');
  assert.equal(fmt(result.get('a')!), 't-2');
});

test('more members than partitions leaves some members empty', () => {
  const t = new Set(['t']);
  const result = rangeAssign(
    ['m1', 'm2', 'm3'].map((memberId) => ({ memberId, groupInstanceId: undefined, topics: t })),
    new Map([['t', 2]]),
  );
  assert.deepEqual([fmt(result.get('m1')!), fmt(result.get('m2')!), fmt(result.get('m3')!)], ['t-0', 't-1', '']);
});
