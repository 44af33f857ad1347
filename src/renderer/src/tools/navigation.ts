/**
 * The navigation tools of a viewport, one pointer tool each: a drag adjusts the window, scrolls
 * through the planes, pans, zooms or places the crosshair; the wheel scrolls or zooms. Which button
 * or wheel reaches which tool is the binding table's (bindings.ts).
 */
import type { ViewTransform } from '../imaging/planes'
import type { NavigationTool } from './toolIds'
import type { PointerTool } from './pointerTool'

/** A pointer position: on the screen, and on the plane shown (continuous, u across and v down). */
export interface ViewportPoint {
  clientX: number
  clientY: number
  /** Null while the image has no size on screen. */
  plane: { u: number; v: number } | null
}

/** What a navigation tool may read and change of the viewport it works in. */
export interface ViewportContext {
  readonly windowLevel: { center: number; width: number }
  /** Window change per screen pixel of drag. */
  readonly windowSensitivity: number
  setWindow(center: number, width: number): void
  readonly planeIndex: number
  setPlaneIndex(index: number): void
  stepPlane(step: number): void
  readonly transform: ViewTransform
  setTransform(transform: ViewTransform): void
  /** Zooms to `zoom`, keeping the image point under (clientX, clientY) where it is in `from`. */
  zoomAt(zoom: number, clientX: number, clientY: number, from?: ViewTransform): void
  /** Places the crosshair (the point the other views show) at a plane point. */
  moveCrosshair(plane: { u: number; v: number } | null): void
}

export interface ViewportNavigationTool extends PointerTool<ViewportContext, ViewportPoint> {
  readonly id: NavigationTool
}

/** What the toolbar says of each tool, in its order. */
export const navigationToolDescriptions: Record<NavigationTool, { label: string; hint: string }> = {
  window: { label: 'Window', hint: 'Left-drag adjusts window (horizontal) and level (vertical)' },
  scroll: { label: 'Scroll', hint: 'Left-drag scrolls through the slices' },
  pan: { label: 'Pan', hint: 'Left-drag moves the image (the middle button always pans)' },
  zoom: { label: 'Zoom', hint: 'Left-drag up/down zooms (Ctrl + wheel zooms at the pointer)' },
  crosshair: { label: 'Crosshair', hint: 'Left-drag places the crosshair: the other views follow' }
}

/** One notch of a wheel, in pixels: a notch moves one plane whatever the platform's notch size. */
export const WHEEL_NOTCH = 50

/** Where a drag started, and the state it changes as it was then. */
interface DragStart {
  clientX: number
  clientY: number
}

/** A tool whose drag changes some state relative to how it was when the drag started. */
function dragTool<Start>(
  id: NavigationTool,
  capture: (ctx: ViewportContext) => Start,
  drag: (ctx: ViewportContext, start: Start & DragStart, dx: number, dy: number) => void,
  wheel?: ViewportNavigationTool['wheel']
): ViewportNavigationTool {
  let start: (Start & DragStart) | null = null
  return {
    id,
    ...navigationToolDescriptions[id],
    pointerDown(ctx, point) {
      start = { ...capture(ctx), clientX: point.clientX, clientY: point.clientY }
    },
    pointerMove(ctx, point, pressed) {
      if (pressed && start) drag(ctx, start, point.clientX - start.clientX, point.clientY - start.clientY)
    },
    pointerUp() {
      start = null
    },
    wheel,
    reset() {
      start = null
    }
  }
}

function windowTool(): ViewportNavigationTool {
  return dragTool(
    'window',
    (ctx) => ({ ...ctx.windowLevel }),
    (ctx, start, dx, dy) => {
      const s = ctx.windowSensitivity
      ctx.setWindow(start.center + dy * s, start.width + dx * s)
    }
  )
}

function scrollTool(): ViewportNavigationTool {
  /** Pixels of small wheel turns (touchpads) not yet making a notch. */
  let wheelRemainder = 0
  return dragTool(
    'scroll',
    (ctx) => ({ index: ctx.planeIndex }),
    (ctx, start, _dx, dy) => ctx.setPlaneIndex(start.index + Math.round(dy / 4)),
    (ctx, _point, delta) => {
      if (Math.abs(delta) >= WHEEL_NOTCH) {
        wheelRemainder = 0
        ctx.stepPlane(Math.sign(delta))
        return
      }
      wheelRemainder += delta
      if (Math.abs(wheelRemainder) >= WHEEL_NOTCH) {
        ctx.stepPlane(Math.sign(wheelRemainder))
        wheelRemainder = 0
      }
    }
  )
}

function panTool(): ViewportNavigationTool {
  return dragTool(
    'pan',
    (ctx) => ({ panX: ctx.transform.panX, panY: ctx.transform.panY }),
    (ctx, start, dx, dy) => ctx.setTransform({ zoom: ctx.transform.zoom, panX: start.panX + dx, panY: start.panY + dy })
  )
}

function zoomTool(): ViewportNavigationTool {
  return dragTool(
    'zoom',
    (ctx) => ({ from: { ...ctx.transform } }),
    (ctx, start, _dx, dy) =>
      ctx.zoomAt(start.from.zoom * Math.exp(-dy / 200), start.clientX, start.clientY, start.from),
    (ctx, point, delta) => ctx.zoomAt(ctx.transform.zoom * Math.exp(-delta / 400), point.clientX, point.clientY)
  )
}

function crosshairTool(): ViewportNavigationTool {
  let placing = false
  return {
    id: 'crosshair',
    ...navigationToolDescriptions.crosshair,
    pointerDown(ctx, point) {
      placing = true
      ctx.moveCrosshair(point.plane)
    },
    pointerMove(ctx, point, pressed) {
      if (pressed && placing) ctx.moveCrosshair(point.plane)
    },
    pointerUp() {
      placing = false
    },
    reset() {
      placing = false
    }
  }
}

/** The navigation tools of one viewport (each keeps its own drag, so every viewport has its own). */
export function createNavigationTools(): Record<NavigationTool, ViewportNavigationTool> {
  return {
    window: windowTool(),
    scroll: scrollTool(),
    pan: panTool(),
    zoom: zoomTool(),
    crosshair: crosshairTool()
  }
}
