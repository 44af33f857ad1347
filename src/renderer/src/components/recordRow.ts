/**
 * The attributes of one record's row in a list (a series, a mask version, a model, a training run):
 * the row's class and its test id are both `<kind>-row`, the states it shows are classes beside it,
 * and the record's key goes in data attributes. One convention, written once, so that styles, tests
 * and the rows of every list agree.
 */
export function recordRow(
  kind: string,
  states: Record<string, boolean>,
  data: Record<string, string | number>
): Record<string, unknown> {
  const row = `${kind}-row`
  const attributes: Record<string, unknown> = { class: [row, states], 'data-testid': row }
  for (const [name, value] of Object.entries(data)) attributes[`data-${name}`] = value
  return attributes
}
