/** Offers bytes to the user as a file download (browser and desktop alike), via a Blob URL. */
export function downloadBytes(bytes: Uint8Array, fileName: string, type: string): void {
  const blob = new Blob([bytes.slice()], { type })
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = fileName
  link.rel = 'noopener'
  document.body.appendChild(link)
  link.click()
  link.remove()
  // The download has started by now; the URL only has to outlive the click.
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}

/** A file name safe on every platform. */
export function safeFileName(text: string): string {
  const printable = Array.from(text, (ch) => (ch.charCodeAt(0) < 32 ? ' ' : ch)).join('')
  return printable
    .replace(/[\\/:*?"<>|]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 120)
}
