import { describe, expect, it } from 'vitest'
import { UndoHistory, type HistoryDirection, type HistoryMemo } from '../../../src/renderer/src/annotation/history'

/** A memo that sets one cell of a document from `before` to `after`, as a mask patch sets voxels. */
function cellMemo(document: number[], index: number, after: number): HistoryMemo {
  const before = document[index]
  document[index] = after
  return {
    action: `cell ${index} ${before}→${after}`,
    restore(direction: HistoryDirection) {
      document[index] = direction === 'undo' ? before : after
    }
  }
}

describe('undo history', () => {
  it('undoes and redoes recorded changes in order, restoring each state', () => {
    const document = [0, 0, 0]
    const history = new UndoHistory(10)
    history.record(cellMemo(document, 0, 5))
    history.record(cellMemo(document, 2, 7))
    history.record(cellMemo(document, 0, 9))
    expect(document).toEqual([9, 0, 7])
    expect(history.nextUndo?.action).toBe('cell 0 5→9')

    expect(history.undo()?.action).toBe('cell 0 5→9')
    expect(document).toEqual([5, 0, 7])
    expect(history.undo()?.action).toBe('cell 2 0→7')
    expect(document).toEqual([5, 0, 0])
    expect([history.undoCount, history.redoCount]).toEqual([1, 2])
    expect(history.nextRedo?.action).toBe('cell 2 0→7')

    expect(history.redo()?.action).toBe('cell 2 0→7')
    expect(document).toEqual([5, 0, 7])
    expect(history.undo()).not.toBeNull()
    expect(history.undo()).not.toBeNull()
    expect(document).toEqual([0, 0, 0])
    expect(history.undo()).toBeNull()
    expect(document).toEqual([0, 0, 0])
  })

  it('drops what can be redone when a new change is recorded, but not when one is pushed', () => {
    const document = [0, 0]
    const history = new UndoHistory(10)
    history.record(cellMemo(document, 0, 1))
    history.record(cellMemo(document, 1, 2))
    history.undo()
    history.push(cellMemo(document, 0, 3))
    expect([history.undoCount, history.redoCount]).toEqual([2, 1])
    history.record(cellMemo(document, 0, 4))
    expect([history.undoCount, history.redoCount]).toEqual([3, 0])
    expect(history.redo()).toBeNull()
    expect(document).toEqual([4, 0])
  })

  it('keeps only the newest `limit` steps', () => {
    const document = [0]
    const history = new UndoHistory(3)
    for (let value = 1; value <= 5; value++) history.record(cellMemo(document, 0, value))
    expect(history.undoCount).toBe(3)
    while (history.undo()) {
      // undo all that is kept
    }
    // The steps 0→1 and 1→2 were dropped: the oldest state still reachable is 2.
    expect(document).toEqual([2])
    history.clear()
    expect([history.undoCount, history.redoCount, history.nextUndo, history.nextRedo]).toEqual([0, 0, null, null])
    expect(() => new UndoHistory(0)).toThrow('An undo history keeps at least 1 step, not 0.')
  })
})
