/**
 * File-system paths from a drop. The desktop app can resolve dropped files to paths; a browser
 * cannot, but a file manager's drag often carries file:// URLs or a path as text, which can be used.
 */
interface PathBridge {
  pathForFile?(file: File): string
}

function fileUrlToPath(url: string): string | null {
  try {
    const parsed = new URL(url)
    if (parsed.protocol !== 'file:') return null
    const path = decodeURIComponent(parsed.pathname)
    // file:///C:/scans → C:/scans on Windows.
    return /^\/[A-Za-z]:\//.test(path) ? path.slice(1) : path
  } catch {
    return null
  }
}

export function droppedPaths(transfer: DataTransfer, bridge?: unknown): string[] {
  const paths: string[] = []
  const resolver = (bridge as PathBridge | undefined)?.pathForFile
  for (const file of Array.from(transfer.files)) {
    const path = resolver?.(file) || (file as File & { path?: string }).path
    if (path) paths.push(path)
  }
  if (paths.length > 0) return paths
  for (const line of transfer.getData('text/uri-list').split(/\r?\n/)) {
    if (line.startsWith('#')) continue
    const path = fileUrlToPath(line.trim())
    if (path) paths.push(path)
  }
  if (paths.length > 0) return paths
  const text = transfer.getData('text/plain').trim()
  if (/^(\/|[A-Za-z]:[\\/])/.test(text) && !text.includes('\n')) paths.push(text)
  else if (text.startsWith('file://')) {
    const path = fileUrlToPath(text)
    if (path) paths.push(path)
  }
  return paths.slice(0, 1000)
}
