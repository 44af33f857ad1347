import { describe, expect, it } from 'vitest'
import { studiesCommand, trainCommandSpec, scoreCommandSpec } from '../../../src/main/cli/commands'
import { PACS_COMMANDS } from '../../../src/main/cli/pacsCommands'
import { commandUsage, parseCommand, UsageError } from '../../../src/main/cli/options'

describe("each command's option table", () => {
  it("refuses an option the command does not take, with that command's usage", () => {
    expect(() => parseCommand(studiesCommand, ['--epochs', '5'])).toThrow(UsageError)
    try {
      parseCommand(studiesCommand, ['--epochs', '5'])
    } catch (e) {
      const text = (e as Error).message
      expect(text).toMatch(/^Unknown option '--epochs'\.\n\nUsage:\n {2}pulmo studies \[--json\] \[--query Q\]/)
      expect(text).toContain('--query Q')
      expect(text).not.toContain('--epochs N')
    }
    expect(() => parseCommand(PACS_COMMANDS.studies, ['--interval', '3'], 'pacs ')).toThrow(/pulmo pacs studies/)
  })

  it('parses the options the command takes, the common ones too', () => {
    const studies = parseCommand(studiesCommand, ['--json', '--query', 'P002', '--data-dir', '/tmp/d'])
    expect(studies.values).toEqual({ json: true, query: 'P002', 'data-dir': '/tmp/d' })
    const train = parseCommand(trainCommandSpec, ['--data', 'D', '--out', 'M', '--epochs', '5', '--resume', '--backend', 'wasm'])
    expect(train.values).toMatchObject({ data: 'D', out: 'M', epochs: '5', resume: true, backend: 'wasm' })
    const score = parseCommand(scoreCommandSpec, ['12', '--json', '-h'])
    expect(score.positionals).toEqual(['12'])
    expect(score.values.help).toBe(true)
    expect(parseCommand(PACS_COMMANDS.watch, ['--url', 'http://pacs', '--interval', '1']).values.interval).toBe('1')
  })

  it('refuses a value given to a flag and a missing value', () => {
    expect(() => parseCommand(studiesCommand, ['--json=yes'])).toThrow(UsageError)
    expect(() => parseCommand(studiesCommand, ['--query'])).toThrow(/argument missing/)
  })

  it("lists each option with its help in the command's usage", () => {
    const usage = commandUsage(trainCommandSpec)
    for (const option of ['--data DIR', '--epochs N', '--scales 0.75,1,1.25', '--resume', '--data-dir DIR', '-h, --help']) expect(usage).toContain(option)
  })
})
