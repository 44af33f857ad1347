/**
 * Undo/redo history of memos (after Cornerstone3D's history memo): each memo knows how to put its
 * change back and how to make it again. The history only orders them; it holds no mask state, so it
 * can be tested on its own and the masks store keeps what the memos change.
 */
export type HistoryDirection = 'undo' | 'redo'

export interface HistoryMemo {
  /** What the user did, for the undo button's tooltip. */
  readonly action: string
  /** Undoes (or redoes) the change this memo records. */
  restore(direction: HistoryDirection): void
}

export class UndoHistory<Memo extends HistoryMemo> {
  private undoMemos: Memo[] = []
  private redoMemos: Memo[] = []

  /** `limit`: the most undo steps kept; the oldest go first. */
  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`An undo history keeps at least 1 step, not ${limit}.`)
  }

  /** A new change was made: it becomes the step to undo, and what was undone can no longer be redone. */
  record(memo: Memo): void {
    this.push(memo)
    this.redoMemos = []
  }

  /** A change made again on top of the history (reapplied edits) without clearing what can be redone. */
  push(memo: Memo): void {
    this.undoMemos.push(memo)
    if (this.undoMemos.length > this.limit) this.undoMemos.splice(0, this.undoMemos.length - this.limit)
  }

  /** Undoes the latest step; returns its memo, or null when there is nothing to undo. */
  undo(): Memo | null {
    return this.move('undo')
  }

  /** Redoes the step undone last; returns its memo, or null when there is nothing to redo. */
  redo(): Memo | null {
    return this.move('redo')
  }

  clear(): void {
    this.undoMemos = []
    this.redoMemos = []
  }

  get undoCount(): number {
    return this.undoMemos.length
  }

  get redoCount(): number {
    return this.redoMemos.length
  }

  /** The memo the next undo restores, or null. */
  get nextUndo(): Memo | null {
    return this.undoMemos.at(-1) ?? null
  }

  /** The memo the next redo restores, or null. */
  get nextRedo(): Memo | null {
    return this.redoMemos.at(-1) ?? null
  }

  private move(direction: HistoryDirection): Memo | null {
    const [from, to] = direction === 'undo' ? [this.undoMemos, this.redoMemos] : [this.redoMemos, this.undoMemos]
    const memo = from.pop()
    if (!memo) return null
    memo.restore(direction)
    to.push(memo)
    return memo
  }
}
