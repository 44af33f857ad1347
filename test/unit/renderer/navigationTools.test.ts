import { describe, expect, it } from 'vitest'
import { boundTool, buttonInput } from '../../../src/renderer/src/tools/bindings'
import { createNavigationTools, type ViewportContext } from '../../../src/renderer/src/tools/navigation'
import type { ViewTransform } from '../../../src/renderer/src/imaging/planes'

const none = { ctrlKey: false, metaKey: false }

/** A viewport as the tools see it, recording what they change. */
function viewport(): ViewportContext & { crosshairs: ({ u: number; v: number } | null)[]; zooms: unknown[][] } {
  const state = {
    windowLevel: { center: 40, width: 400 },
    planeIndex: 10,
    transform: { zoom: 1, panX: 0, panY: 0 } as ViewTransform,
    crosshairs: [] as ({ u: number; v: number } | null)[],
    zooms: [] as unknown[][]
  }
  return {
    get windowLevel() {
      return state.windowLevel
    },
    windowSensitivity: 2,
    setWindow: (center, width) => (state.windowLevel = { center, width }),
    get planeIndex() {
      return state.planeIndex
    },
    setPlaneIndex: (index) => (state.planeIndex = index),
    stepPlane: (step) => (state.planeIndex += step),
    get transform() {
      return state.transform
    },
    setTransform: (next) => (state.transform = next),
    zoomAt: (...args) => state.zooms.push(args),
    moveCrosshair: (plane) => state.crosshairs.push(plane),
    crosshairs: state.crosshairs,
    zooms: state.zooms
  }
}

const at = (clientX: number, clientY: number, plane: { u: number; v: number } | null = null) => ({
  clientX,
  clientY,
  plane
})

describe('viewport tool bindings', () => {
  it('binds the left button to the chosen tool, the middle to pan, the right to window, the wheel to scroll or zoom', () => {
    expect(boundTool('primary', none, 'brush')).toBe('brush')
    expect(boundTool('primary', { ctrlKey: true, metaKey: false }, 'scroll')).toBe('scroll')
    expect(boundTool('middle', none, 'brush')).toBe('pan')
    expect(boundTool('secondary', none, 'zoom')).toBe('window')
    expect(boundTool('wheel', none, 'window')).toBe('scroll')
    expect(boundTool('wheel', { ctrlKey: true, metaKey: false }, 'window')).toBe('zoom')
    expect(boundTool('wheel', { ctrlKey: false, metaKey: true }, 'window')).toBe('zoom')
    expect([buttonInput(0), buttonInput(1), buttonInput(2), buttonInput(3)]).toEqual([
      'primary',
      'middle',
      'secondary',
      null
    ])
  })
})

describe('navigation tools', () => {
  it('window: a drag changes width with x and level with y from where it started', () => {
    const ctx = viewport()
    const { window } = createNavigationTools()
    window.pointerDown(ctx, at(100, 100), { clicks: 1 })
    window.pointerMove(ctx, at(110, 95), true)
    expect(ctx.windowLevel).toEqual({ center: 30, width: 420 })
    window.pointerMove(ctx, at(130, 100), true)
    expect(ctx.windowLevel).toEqual({ center: 40, width: 460 })
    window.pointerUp(ctx, at(130, 100))
    window.pointerMove(ctx, at(0, 0), true)
    expect(ctx.windowLevel).toEqual({ center: 40, width: 460 })
  })

  it('scroll: 4 px of drag per plane; a wheel notch is one plane and small turns add up', () => {
    const ctx = viewport()
    const { scroll } = createNavigationTools()
    scroll.pointerDown(ctx, at(0, 0), { clicks: 1 })
    scroll.pointerMove(ctx, at(0, 21), true)
    expect(ctx.planeIndex).toBe(15)
    scroll.pointerUp(ctx, at(0, 21))
    scroll.wheel?.(ctx, at(0, 0), 100)
    expect(ctx.planeIndex).toBe(16)
    scroll.wheel?.(ctx, at(0, 0), -30)
    expect(ctx.planeIndex).toBe(16)
    scroll.wheel?.(ctx, at(0, 0), -30)
    expect(ctx.planeIndex).toBe(15)
  })

  it('pan moves by the drag at the current zoom; zoom drags from the start point; crosshair follows the plane point', () => {
    const ctx = viewport()
    const tools = createNavigationTools()
    ctx.setTransform({ zoom: 2, panX: 5, panY: -5 })
    tools.pan.pointerDown(ctx, at(10, 10), { clicks: 1 })
    tools.pan.pointerMove(ctx, at(30, 0), true)
    expect(ctx.transform).toEqual({ zoom: 2, panX: 25, panY: -15 })
    tools.pan.pointerUp(ctx, at(30, 0))

    tools.zoom.pointerDown(ctx, at(50, 60), { clicks: 1 })
    tools.zoom.pointerMove(ctx, at(70, 60 - 200 * Math.log(2)), true)
    const [zoom, x, y, from] = ctx.zooms[0] as [number, number, number, ViewTransform]
    expect([zoom, x, y, from]).toEqual([expect.closeTo(4, 9), 50, 60, { zoom: 2, panX: 25, panY: -15 }])
    tools.zoom.wheel?.(ctx, at(7, 8), 400 * Math.log(2))
    expect(ctx.zooms[1]).toEqual([expect.closeTo(1, 9), 7, 8])

    tools.crosshair.pointerDown(ctx, at(0, 0, { u: 3, v: 4 }), { clicks: 1 })
    tools.crosshair.pointerMove(ctx, at(0, 0, { u: 5, v: 6 }), true)
    tools.crosshair.pointerUp(ctx, at(0, 0, { u: 5, v: 6 }))
    tools.crosshair.pointerMove(ctx, at(0, 0, { u: 9, v: 9 }), true)
    expect(ctx.crosshairs).toEqual([
      { u: 3, v: 4 },
      { u: 5, v: 6 }
    ])
  })
})
