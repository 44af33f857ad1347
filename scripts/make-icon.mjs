// Draws resources/icon.png (512×512): two lungs over a dark rounded square. Kept as a script so
// the icon can be regenerated instead of living only as an opaque binary.
import { writeFileSync } from 'node:fs'
import { deflateSync } from 'node:zlib'

const S = 512
const px = new Uint8Array(S * S * 4)
const inRounded = (x, y) => {
  const r = 96, cx = Math.min(Math.max(x, r), S - r), cy = Math.min(Math.max(y, r), S - r)
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r
}
const lung = (x, y, cx) => ((x - cx) / 88) ** 2 + ((y - 280) / 165) ** 2 <= 1
for (let y = 0; y < S; y++) {
  for (let x = 0; x < S; x++) {
    const i = (y * S + x) * 4
    if (!inRounded(x, y)) continue
    let c = [22, 27, 36]
    if (lung(x, y, 158) || lung(x, y, 354)) c = [64, 196, 200]
    if (((x - 354) / 40) ** 2 + ((y - 300) / 60) ** 2 <= 1) c = [236, 150, 64] // a lesion, the thing Pulmo finds
    if (Math.abs(x - 256) < 14 && y > 60 && y < 200) c = [64, 196, 200] // trachea
    px.set([...c, 255], i)
  }
}
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
const crc32 = (buf) => {
  let c = 0xffffffff
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
const chunk = (type, data) => {
  const out = Buffer.alloc(12 + data.length)
  out.writeUInt32BE(data.length, 0)
  out.write(type, 4, 'ascii')
  Buffer.from(data).copy(out, 8)
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length)
  return out
}
const ihdr = Buffer.alloc(13)
ihdr.writeUInt32BE(S, 0); ihdr.writeUInt32BE(S, 4); ihdr[8] = 8; ihdr[9] = 6
const raw = Buffer.alloc(S * (S * 4 + 1))
for (let y = 0; y < S; y++) Buffer.from(px.buffer, y * S * 4, S * 4).copy(raw, y * (S * 4 + 1) + 1)
const png = Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))])
writeFileSync(new URL('../resources/icon.png', import.meta.url), png)
