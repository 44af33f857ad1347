/**
 * The WebSocket wire format of the contract (used by `pulmo serve` and the browser client).
 * Text frames carry JSON:
 *   client → server  { id, method, params }
 *   server → client  { id, result } | { id, error: { code, message } } | { event }
 * A result that is raw bytes (the `Binary` schema) travels as one binary frame:
 *   uint32 little-endian request id, then the payload.
 * The socket URL is /ws?token=TOKEN; the token is printed by `pulmo serve` and passed to the page
 * as ?token= in its address.
 */
import { z } from 'zod'
import { ApiErrorShape, ApiEvent } from './api'

export const WireRequest = z.object({
  id: z.number().int().nonnegative(),
  method: z.string(),
  params: z.unknown()
})
export type WireRequest = z.infer<typeof WireRequest>

export const WireReply = z.union([
  z.object({ id: z.number().int(), result: z.unknown() }),
  z.object({ id: z.number().int(), error: ApiErrorShape }),
  z.object({ event: ApiEvent })
])
export type WireReply = z.infer<typeof WireReply>

export function encodeBinaryReply(id: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + payload.byteLength)
  new DataView(out.buffer).setUint32(0, id, true)
  out.set(payload, 4)
  return out
}

export function decodeBinaryReply(frame: ArrayBuffer): { id: number; payload: Uint8Array } {
  const id = new DataView(frame).getUint32(0, true)
  return { id, payload: new Uint8Array(frame, 4) }
}
