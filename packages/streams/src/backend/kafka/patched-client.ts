import { endianness } from 'node:os';

/**
 * A method that tools/kafka-javascript's patches add to the client's native binding (its `_client`), or undefined
 * when the client is unpatched. Also undefined on a big-endian host: the packed layouts are read as little-endian.
 */
export function patchedBinding<T extends object>(native: object, method: keyof T & string): T | undefined {
  if (endianness() !== 'LE') return undefined;
  const binding = (native as { _client?: Partial<Record<string, unknown>> })._client;
  return typeof binding?.[method] === 'function' ? (binding as unknown as T) : undefined;
}
