/**
 * Each command's own option table (name, type, help) and the parser that holds a command to it:
 * an option the command does not take is refused with that command's usage, so a mistyped or
 * misplaced option (`pulmo studies --epochs 5`) is an error rather than silently ignored.
 */
import { parseArgs } from 'node:util'

export interface OptionSpec {
  type: 'string' | 'boolean'
  /** What the value is, in the usage (`--out DIR`); strings only. */
  value?: string
  help: string
  short?: string
  /** May be given more than once (`--only A --only B`). */
  multiple?: boolean
}
export type OptionTable = Readonly<Record<string, OptionSpec>>

/** One way of calling a command: its arguments after `pulmo NAME` and what it does. */
export interface CommandForm {
  args: string
  does: string
}

/** A command: its forms and options, with the options every command takes added by `command`. */
export interface CommandSpec<T extends OptionTable = OptionTable> {
  name: string
  forms: readonly CommandForm[]
  options: T
}

/** A usage mistake: reported with exit code 2. */
export class UsageError extends Error {}

/** The options every command takes. */
export const COMMON_OPTIONS = {
  'data-dir': { type: 'string', value: 'DIR', help: 'data folder (default: PULMO_DATA_DIR or the per-user app data folder)' },
  backend: { type: 'string', value: 'NAME', help: 'auto | tensorflow | native | wasm | cpu (default: PULMO_BACKEND or auto)' },
  help: { type: 'boolean', short: 'h', help: "this command's usage" }
} as const satisfies OptionTable

export function command<const T extends OptionTable>(
  name: string,
  forms: readonly CommandForm[],
  options: T
): CommandSpec<T & typeof COMMON_OPTIONS> {
  return { name, forms, options: { ...options, ...COMMON_OPTIONS } }
}

type ValueOf<S extends OptionSpec> = S['type'] extends 'boolean' ? boolean : S['multiple'] extends true ? string[] : string
export type OptionValues<T extends OptionTable> = { [K in keyof T]?: ValueOf<T[K]> }

/** The forms of a command as the overall usage lists them. */
export function commandForms(spec: CommandSpec, prefix = ''): string {
  return spec.forms
    .map((f) => {
      const call = `  ${prefix}${spec.name}${f.args ? ` ${f.args}` : ''}`
      // a short one-line call takes its description on the same line
      const [first, ...rest] = indent(f.does).split('\n')
      return call.length < 33 && !call.includes('\n') ? [call.padEnd(33) + first.trimStart(), ...rest].join('\n') + '\n' : `${call}\n${indent(f.does)}\n`
    })
    .join('')
}

const indent = (text: string): string =>
  text
    .split('\n')
    .map((line) => `${' '.repeat(33)}${line}`)
    .join('\n')

export function commandUsage(spec: CommandSpec, prefix = ''): string {
  const flags = Object.entries(spec.options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : ''}--${name}${o.value ? ` ${o.value}` : ''}`
    return `  ${flag.padEnd(30)} ${o.help}${o.multiple ? ' (repeatable)' : ''}`
  })
  return `Usage:\n${commandForms(spec, `pulmo ${prefix}`)}\nOptions:\n${flags.join('\n')}\n`
}

/**
 * Parses `args` against the command's table. Unknown options, a value given to a flag or a
 * missing value are UsageErrors carrying the command's usage.
 */
export function parseCommand<T extends OptionTable>(
  spec: CommandSpec<T>,
  args: readonly string[],
  /** `pacs ` for a subcommand of pulmo pacs, so its usage names it fully */
  prefix = ''
): { values: OptionValues<T>; positionals: string[] } {
  const options = Object.fromEntries(
    Object.entries(spec.options).map(([name, o]) => [name, { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) }])
  )
  try {
    const { values, positionals } = parseArgs({ args: [...args], options, allowPositionals: true, strict: true })
    // parseArgs types its result from a literal table; this one is built, and typed by the spec's table.
    return { values: values as OptionValues<T>, positionals }
  } catch (e) {
    if (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS')) {
      // node's message goes on to explain `--`; the first sentence is what went wrong
      const what = e.message.split('. To specify')[0].replace(/\.?$/, '.')
      throw new UsageError(`${what}\n\n${commandUsage(spec, prefix)}`)
    }
    throw e
  }
}

/** A whole number ≥ 0 given as --name, or undefined when absent. */
export function wholeNumber(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number, got ${v}`)
  return n
}

/** A number ≥ 0 given as --name (a length, a size), or undefined when absent. */
export function nonNegative(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined
  const n = Number(v)
  if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be a number ≥ 0, got ${v}`)
  return n
}

/** An on/off option: undefined when not given (the default applies). */
export function onOff(name: string, v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined
  if (v === 'on' || v === 'off') return v === 'on'
  throw new UsageError(`--${name} takes on or off, got ${v}`)
}
