import type { Page } from 'playwright-core'

/** A control the person at the screen cannot reach: where it is and why. */
export interface UnreachableControl {
  control: string
  rect: { x: number; y: number; width: number; height: number }
  reason: string
}

/**
 * Every visible button, input, select and textarea inside `scope` (a CSS selector; the whole page
 * by default) that cannot be brought into the viewport by a person: neither inside the viewport
 * nor inside a scrollable container (overflow auto or scroll, itself on screen) whose scrolling
 * reaches it. Each control is scrolled into view the way a person's scrolling would (containers
 * that clip without scrolling, overflow hidden, are put back and count against it), then must lie
 * inside the viewport and every clipping ancestor, and be what is hit at its centre.
 */
export function unreachableControls(page: Page, scope = 'body'): Promise<UnreachableControl[]> {
  return page.evaluate(`(${probe})(${JSON.stringify(scope)})`) as Promise<UnreachableControl[]>
}

/** The check, run in the page (plain JavaScript: the Node side's type-check has no DOM types). */
const probe = `(scopeSelector) => {
    const root = document.querySelector(scopeSelector)
    if (!root) return [{ control: scopeSelector, rect: { x: 0, y: 0, width: 0, height: 0 }, reason: 'scope not found' }]
    const vw = document.documentElement.clientWidth
    const vh = document.documentElement.clientHeight
    const slack = 1
    const describe = (el) => {
      const id = el.getAttribute('data-testid')
      const text = (el.textContent ?? '').trim().replace(/\\s+/g, ' ').slice(0, 40)
      const label = el.getAttribute('aria-label') ?? el.getAttribute('title') ?? el.getAttribute('placeholder') ?? ''
      return \`\${el.tagName.toLowerCase()}\${id ? \`[data-testid=\${id}]\` : ''}\${label ? \` "\${label}"\` : ''}\${text ? \` \${text}\` : ''}\`
    }
    const scrolls = (style, axis) => {
      const o = axis === 'x' ? style.overflowX : style.overflowY
      return o === 'auto' || o === 'scroll'
    }
    const clips = (style) => style.overflowX !== 'visible' || style.overflowY !== 'visible'
    const visible = (el) => {
      if (el instanceof HTMLInputElement && el.type === 'hidden') return false
      const style = getComputedStyle(el)
      if (style.visibility === 'hidden' || style.display === 'none') return false
      const r = el.getBoundingClientRect()
      return r.width > 0 && r.height > 0
    }
    const problems = []
    const controls = [...root.querySelectorAll('button, input, select, textarea')].filter(visible)
    for (const el of controls) {
      // What a person's scrolling can move: the document and auto/scroll containers. Remember the
      // clip-only containers so that scrollIntoView moving them (a person cannot) is undone.
      const clipOnly = []
      const scrollers = []
      for (let a = el.parentElement; a; a = a.parentElement) {
        const s = getComputedStyle(a)
        if (clips(s) && !(scrolls(s, 'x') || scrolls(s, 'y'))) clipOnly.push({ el: a, top: a.scrollTop, left: a.scrollLeft })
        else if (scrolls(s, 'x')) scrollers.push({ el: a, left: a.scrollLeft })
      }
      el.scrollIntoView({ block: 'nearest', inline: 'nearest' })
      // A page that scrolls down and also sideways hides its right-hand side below the fold: a
      // control reached only by scrolling such a page sideways counts as off screen (a table
      // scrolling sideways on its own, or reflowing, is fine).
      const sideways = scrollers.find((c) => c.el.scrollLeft !== c.left && c.el.scrollHeight > c.el.clientHeight + 1)
      let moved = false
      for (const c of clipOnly) {
        if (c.el.scrollTop !== c.top || c.el.scrollLeft !== c.left) moved = true
        c.el.scrollTop = c.top
        c.el.scrollLeft = c.left
      }
      const r = el.getBoundingClientRect()
      const rect = { x: Math.round(r.x), y: Math.round(r.y), width: Math.round(r.width), height: Math.round(r.height) }
      let reason = null
      if (r.left < -slack || r.top < -slack || r.right > vw + slack || r.bottom > vh + slack) reason = \`outside the \${vw}×\${vh} viewport\`
      else if (sideways) reason = \`reached only by scrolling \${describe(sideways.el).slice(0, 50)} sideways\`
      if (!reason) {
        for (let a = el.parentElement; a && !reason; a = a.parentElement) {
          if (!clips(getComputedStyle(a))) continue
          const ar = a.getBoundingClientRect()
          if (r.left < ar.left - slack || r.top < ar.top - slack || r.right > ar.right + slack || r.bottom > ar.bottom + slack)
            reason = \`clipped by \${describe(a).slice(0, 60)}\${moved ? ' (which does not scroll)' : ''}\`
        }
      }
      if (!reason) {
        const cx = Math.min(vw - 1, Math.max(0, r.left + r.width / 2))
        const cy = Math.min(vh - 1, Math.max(0, r.top + r.height / 2))
        const hit = document.elementFromPoint(cx, cy)
        const label = el.id ? document.querySelector(\`label[for="\${el.id}"]\`) : null
        if (hit && hit !== el && !el.contains(hit) && !hit.contains(el) && hit !== label && !label?.contains(hit))
          reason = \`covered by \${describe(hit).slice(0, 60)}\`
      }
      for (const c of scrollers) c.el.scrollLeft = c.left
      if (reason) problems.push({ control: describe(el), rect, reason })
    }
    return problems
}`
