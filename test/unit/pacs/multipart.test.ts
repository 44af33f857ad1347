import { describe, expect, it } from 'vitest'
import { buildMultipart, parseContentType, parseMultipart } from '../../../src/main/pacs'

const enc = new TextEncoder()

describe('multipart/related', () => {
  it('parses what it builds, binary parts with CRLFs and boundary-like text inside intact', () => {
    const a = new Uint8Array([0, 13, 10, 45, 45, 13, 10, 255, 1, 2])
    const b = enc.encode('--not-the-boundary\r\n\r\ntext')
    const { body, contentType } = buildMultipart([a, b])
    const { mediaType, params } = parseContentType(contentType)
    expect(mediaType).toBe('multipart/related')
    expect(params.type).toBe('application/dicom')
    const parts = parseMultipart(body, params.boundary)
    expect(parts.map((p) => [...p.body])).toEqual([[...a], [...b]])
    expect(parts[0].headers['content-type']).toBe('application/dicom')
  })

  it('reads quoted parameters with semicolons', () => {
    expect(parseContentType('multipart/related; type="application/dicom; x=1"; boundary="a;b"')).toEqual({
      mediaType: 'multipart/related',
      params: { type: 'application/dicom; x=1', boundary: 'a;b' }
    })
  })

  it('refuses truncated bodies, a missing boundary, and parts without a header end', () => {
    const { body, contentType } = buildMultipart([new Uint8Array(100).fill(7)])
    const boundary = parseContentType(contentType).params.boundary
    for (const cut of [body.length - 4, body.length - 10, 80, 20]) {
      expect(() => parseMultipart(body.subarray(0, cut), boundary)).toThrow(
        /truncated|no end of headers|never occurs|line break/
      )
    }
    expect(() => parseMultipart(body, 'other')).toThrow(/boundary never occurs/)
    expect(() => parseMultipart(body, '')).toThrow(/names no boundary/)
    expect(() => parseMultipart(enc.encode('--b\r\nContent-Type: x\r\npayload\r\n--b--'), 'b')).toThrow(
      /no end of headers/
    )
  })
})
