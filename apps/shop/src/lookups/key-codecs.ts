/**
 * How a key written in a URL becomes a store's key. URLs carry text; a store's key serde decides what the key is.
 * Every store of the shop is keyed by text today (ids, products, GTINs, customer ids as decimal strings), so text is
 * the default. A store with numeric keys (a `Serdes.long()`/`Serdes.integer()` key serde) declares the `long` codec:
 * the text must then be a safe integer in decimal, else the request is a `400` naming `key`. The codec's serde is
 * the store's key serde: it finds the key's partition (routing) and orders keys across instances (ranges).
 */
import { Serdes, type Serde } from '@tributary/streams';

export interface KeyCodec {
  /** `string` or `long`: shown by `GET /v1/stores`. */
  readonly type: string;
  readonly serde: Serde<unknown>;
  /** The key named by `text`, or an Error saying why the text names none. */
  parse(text: string): unknown;
}

export const STRING_KEYS: KeyCodec = {
  type: 'string',
  serde: Serdes.string() as Serde<unknown>,
  parse: (text) => text,
};

export const LONG_KEYS: KeyCodec = {
  type: 'long',
  serde: Serdes.long() as Serde<unknown>,
  parse: (text) => {
    const n = /^-?\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
    return Number.isSafeInteger(n) ? n : new Error('must be an integer in the safe range');
  },
};
