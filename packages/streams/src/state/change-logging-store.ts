import type { ChangelogFormat } from './changelog-format.js';
import { recordTimestamp } from './record-timestamp.js';
import type { StateStore, StateStoreContext } from './store.js';

/**
 * What the change-logging layers (key-value, window, session) share: they pass every call to the store they wrap,
 * and send each write that reached it to the store's changelog, in the changelog format of the store.
 */
export abstract class ChangeLoggingStore<L extends StateStore> {
  private context: StateStoreContext | undefined;

  constructor(
    readonly wrapped: L,
    private readonly format: ChangelogFormat,
  ) {}

  get name(): string {
    return this.wrapped.name;
  }
  get persistent(): boolean {
    return this.wrapped.persistent;
  }

  init(context: StateStoreContext): void {
    this.context = context;
    this.wrapped.init(context);
  }

  flush(): void {
    this.wrapped.flush();
  }
  close(): void {
    this.wrapped.close();
  }
  isOpen(): boolean {
    return this.wrapped.isOpen();
  }

  /** Logs a write (its changelog key and stored value); false, logging nothing, before `init` gave a changelog. */
  protected log(key: Buffer, value: Buffer | null): boolean {
    const context = this.context;
    if (context === undefined) return false;
    context.logChange(this.name, key, this.format.changelogValue(value), this.format.changelogTimestamp(value, recordTimestamp(context)));
    return true;
  }
}
