/**
 * A growable stack of voxel indices. Flood fills use it instead of recursion: a lung holds millions
 * of voxels, far beyond any call stack.
 */
export class IndexStack {
  private items: Int32Array
  private count = 0

  constructor(initialCapacity = 1 << 16) {
    this.items = new Int32Array(Math.max(16, initialCapacity))
  }

  get size(): number {
    return this.count
  }

  push(index: number): void {
    if (this.count === this.items.length) {
      const grown = new Int32Array(this.items.length * 2)
      grown.set(this.items)
      this.items = grown
    }
    this.items[this.count++] = index
  }

  pop(): number {
    return this.items[--this.count]
  }

  /** The i-th pushed item still on the stack (0 = bottom); lets a stack double as a pixel list. */
  at(i: number): number {
    return this.items[i]
  }

  clear(): void {
    this.count = 0
  }
}
