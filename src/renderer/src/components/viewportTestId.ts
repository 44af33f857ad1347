import type { Orientation } from '../imaging/planes'

/** Test ids keep their first-screen names for the axial view; other views add the orientation. */
export function viewportTestId(orientation: Orientation, name: string): string {
  return orientation === 'axial' ? name : `${name}-${orientation}`
}
