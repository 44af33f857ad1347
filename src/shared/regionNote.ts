/** What the lobes and regions on screen are, beside the region table (the PDF says it at length). */
export const REGION_NOTE =
  'Lobes from the fissures fitted to this CT; the 20 regions are parts of each lobe by level and halves of its extent: approximate for segments.'
