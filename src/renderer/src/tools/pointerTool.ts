/**
 * The one interface of every pointer interaction in a viewport (after Cornerstone3D's tools): the
 * navigation tools (window, scroll, pan, zoom, crosshair) and the mask editing tools alike. The
 * viewport turns pointer events into the tool's points and hands them, with the tool's context, to
 * the tool a binding (bindings.ts) names; the tool does the rest.
 */
export interface PointerInfo {
  /** 2 on the second click of a double click. */
  clicks: number
}

export interface PointerTool<Context, Point> {
  readonly id: string
  readonly label: string
  /** The key that chooses the tool, if it has one. */
  readonly shortcut?: string
  readonly hint: string
  pointerDown(ctx: Context, point: Point, info: PointerInfo): void
  /** `pressed`: a drag (the button that started it is down); otherwise the pointer just moves. */
  pointerMove(ctx: Context, point: Point, pressed: boolean): void
  pointerUp(ctx: Context, point: Point): void
  /** A wheel turn of `delta` pixels (one notch is 50) over the view. */
  wheel?(ctx: Context, point: Point, delta: number): void
  /** Keys while the tool has an edit open (Enter, Escape); true when handled. */
  key?(ctx: Context, key: string): boolean
  /** Whether the tool keeps an edit open between pointer presses (a polygon being drawn). */
  busy?(): boolean
  /** Forget any edit in progress (slice changed, tool switched). */
  reset?(): void
}
