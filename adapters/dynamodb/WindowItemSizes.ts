import type { WindowKey } from '../../core/ports/WindowStore';
import { attributeBytes, itemBytes } from './itemBytes';
import { PARTIAL_ATTRIBUTE } from './windowItems';

/** What was last seen of one window item's size: the whole item's bytes and its partials', by attribute name. */
interface SeenSize {
  bytes: number;
  readonly partialBytes: Map<string, number>;
}

/**
 * The sizes of the window items a window store read or wrote last, so a
 * partial write can tell, without another read, whether the item would pass
 * the compaction budget (`WINDOW_ITEM_BUDGET`): the engine reads a window
 * (`getWindows`) just before it writes its partial. Estimates only: another
 * shard's partial written in between is not seen, which the budget's margin
 * and the reactive path (a refused write compacts) cover. Holds at most
 * `limit` windows, the oldest forgotten first; a forgotten window is written
 * without an estimate (the reactive path still applies).
 */
export class WindowItemSizes {
  private readonly seen = new Map<string, SeenSize>();

  public constructor(private readonly limit = 4_096) {}

  /** Records an item as read (or as written whole). */
  public remember(key: WindowKey, item: Readonly<Record<string, unknown>>): void {
    const partialBytes = new Map<string, number>();
    for (const [name, value] of Object.entries(item)) if (PARTIAL_ATTRIBUTE.test(name)) partialBytes.set(name, attributeBytes(name, value));
    const id = idOf(key);
    this.seen.delete(id);
    this.seen.set(id, { bytes: itemBytes(item), partialBytes });
    if (this.seen.size > this.limit) this.seen.delete(this.seen.keys().next().value as string);
  }

  /** The item's size with `attribute` set to `value`, or undefined for an item not seen. */
  public estimateWith(key: WindowKey, attribute: string, value: unknown): number | undefined {
    const seen = this.seen.get(idOf(key));
    return seen && seen.bytes - (seen.partialBytes.get(attribute) ?? 0) + attributeBytes(attribute, value);
  }

  /** Records a partial written into an item seen before. */
  public wrote(key: WindowKey, attribute: string, value: unknown): void {
    const seen = this.seen.get(idOf(key));
    if (!seen) return;
    const bytes = attributeBytes(attribute, value);
    seen.bytes += bytes - (seen.partialBytes.get(attribute) ?? 0);
    seen.partialBytes.set(attribute, bytes);
  }
}

function idOf(key: WindowKey): string {
  return `${key.metric}\u0000${key.group}\u0000${key.startMs}`;
}
