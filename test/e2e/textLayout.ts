import type { Page } from 'playwright-core'

/** Two texts of one viewport whose boxes intersect, or a text that leaves its viewport. */
export interface TextCollision {
  viewport: string
  texts: string[]
  reason: string
}

/**
 * In each `.viewport` on the page, the boxes of the overlay texts (each line of the corner blocks
 * and each orientation letter, measured as the rendered text, not its block) must not intersect
 * one another and must lie inside the viewport.
 */
export function overlayTextCollisions(page: Page): Promise<TextCollision[]> {
  return page.evaluate(`(${collisionProbe})()`) as Promise<TextCollision[]>
}

/** A text cut off: wider than its own box that hides the rest, or reaching past an ancestor that clips. */
export interface ClippedText {
  text: string
  reason: string
}

/**
 * Every element inside `scope` with text of its own whose text is not all shown: the element hides
 * its overflow (hidden, clip, ellipsis) and its scrollWidth exceeds its clientWidth, or the text's
 * rendered box reaches past an ancestor that clips without scrolling (a scrolling container on the
 * way ends the search: scrolling reaches what it holds).
 */
export function clippedTexts(page: Page, scope: string): Promise<ClippedText[]> {
  return page.evaluate(`(${clipProbe})(${JSON.stringify(scope)})`) as Promise<ClippedText[]>
}

// Plain JavaScript run in the page: the Node side's type-check has no DOM types.
const collisionProbe = `() => {
  const out = []
  const slack = 0.5
  for (const viewport of document.querySelectorAll('.viewport')) {
    const name = viewport.getAttribute('data-testid') || 'viewport'
    const frame = viewport.getBoundingClientRect()
    const texts = []
    for (const el of viewport.querySelectorAll('.overlay > div, .edge-label')) {
      const text = (el.textContent || '').trim()
      if (!text) continue
      const range = document.createRange()
      range.selectNodeContents(el)
      const r = range.getBoundingClientRect()
      if (r.width === 0 || r.height === 0) continue
      texts.push({ text, r })
      if (r.left < frame.left - slack || r.right > frame.right + slack || r.top < frame.top - slack || r.bottom > frame.bottom + slack)
        out.push({ viewport: name, texts: [text], reason: 'outside the viewport ' + JSON.stringify([r.left, r.top, r.right, r.bottom].map(Math.round)) })
    }
    for (let i = 0; i < texts.length; i++)
      for (let j = i + 1; j < texts.length; j++) {
        const a = texts[i].r
        const b = texts[j].r
        const overlap = a.left < b.right - slack && b.left < a.right - slack && a.top < b.bottom - slack && b.top < a.bottom - slack
        if (overlap) out.push({ viewport: name, texts: [texts[i].text, texts[j].text], reason: 'overlap' })
      }
  }
  return out
}`

const clipProbe = `(scopeSelector) => {
  const root = document.querySelector(scopeSelector)
  if (!root) return [{ text: scopeSelector, reason: 'scope not found' }]
  const out = []
  const hides = (style) => style.overflowX === 'hidden' || style.overflowX === 'clip'
  for (const el of root.querySelectorAll('*')) {
    const own = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim())
    if (!own || el.getClientRects().length === 0) continue
    const text = el.textContent.trim().replace(/\\s+/g, ' ').slice(0, 80)
    const style = getComputedStyle(el)
    if ((hides(style) || style.textOverflow === 'ellipsis') && el.scrollWidth > el.clientWidth + 1) {
      out.push({ text, reason: 'scrollWidth ' + el.scrollWidth + ' > clientWidth ' + el.clientWidth })
      continue
    }
    const range = document.createRange()
    range.selectNodeContents(el)
    const r = range.getBoundingClientRect()
    for (let a = el.parentElement; a; a = a.parentElement) {
      const clip = getComputedStyle(a)
      // a container that scrolls brings the text into view: reachable, not cut off
      if (clip.overflowX === 'auto' || clip.overflowX === 'scroll') break
      if (!hides(clip)) continue
      const box = a.getBoundingClientRect()
      if (r.left < box.left - 1 || r.right > box.right + 1) {
        out.push({ text, reason: 'reaches past a clipping ' + a.tagName.toLowerCase() + '.' + a.className + ' (' + Math.round(r.left) + '–' + Math.round(r.right) + ' of ' + Math.round(box.left) + '–' + Math.round(box.right) + ')' })
        break
      }
    }
  }
  return out
}`
