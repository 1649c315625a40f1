/**
 * Ids this instance has written but its view has not shown yet: together with the view they make the duplicate
 * check airtight within an instance, including for two POSTs of one id racing each other.
 */
export class PostedOrders {
  private readonly ids = new Set<string>();

  /** Claims `id`; false when it is already claimed. */
  claim(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    return true;
  }

  /** The write failed: the id is free again. */
  release(id: string): void {
    this.ids.delete(id);
  }

  /** The view has the order now, so it answers for the id from here on. */
  seen(id: string): void {
    this.ids.delete(id);
  }

  get size(): number {
    return this.ids.size;
  }
}
