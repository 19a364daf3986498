import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { CliError, ExitCode, toCliError } from './base/errors.js';
import { terminalWidth, writeOut, type Io } from './base/io.js';
import {
  FLAGS,
  FlagValueError,
  formatOf,
  requestedFormat,
  type CliOptions,
  type CommonOptions,
  type FlagDeclaration,
  type KeysOptions,
} from './base/options.js';
import { renderErrorDocument } from './render/error-document.js';

const EXIT_CODES = `Exit codes:
  0   report printed (a part that could not be fetched is named in a warning)
  1   internal error (a bug: please report it)
  2   usage or configuration error (bad flag, no key, unknown --workspace)
  3   key rejected (HTTP 401 or 403 on an endpoint the run needs)
  4   still rate-limited after retries
  5   network failure, timeout or server error after retries
  6   response not JSON or not the documented shape
  7   a --min-balance, --max-today, --max-month or --max-forecast alert
  130 interrupted
With --json a failure still prints one JSON document: { schemaVersion, error }.`;

const EXAMPLES = `Examples:
  $ openrouter-usage                     totals, balance, top models (7 days)
  $ openrouter-usage --since 2025-12-01 --by month   a year (analytics API)
  $ openrouter-usage --json | jq .credits.remaining

Keys: OPENROUTER_API_KEY (an inference key: its own live totals) and/or
OPENROUTER_MGMT_KEY (a management key: balance, totals of every key in
every workspace, breakdown); either alone is enough. Read from the
environment, --credentials-file, ./credentials.env, or
$XDG_CONFIG_HOME/openrouter-usage/credentials.env; the first place wins.
More: openrouter-usage help keys; --demo shows a report without a key.`;

const KEYS_EXAMPLES = `Examples:
  $ openrouter-usage keys
  $ openrouter-usage keys --workspace research --include-disabled
  $ openrouter-usage keys --json | jq '.keys[] | select(.limit != null)'

Also: --json, --format, --timeout, --deadline, --base-url,
--credentials-file, --no-color, --demo, --debug (see openrouter-usage --help).`;

/** A commander option from the table's declaration: its parser's refusals become commander's own "invalid argument" errors. */
function optionOf(declaration: FlagDeclaration): Option {
  const option = new Option(declaration.flags, declaration.description);
  if (declaration.choices) option.choices(declaration.choices);
  const { parse } = declaration;
  if (parse) {
    option.argParser((value: string) => {
      try {
        return parse(value);
      } catch (error) {
        if (error instanceof FlagValueError) throw new InvalidArgumentError(error.message);
        throw error;
      }
    });
  }
  if (declaration.default !== undefined) option.default(declaration.default);
  return option;
}

function addOptions(command: Command, on: FlagDeclaration['on']): Command {
  for (const declaration of FLAGS) if (declaration.on === on) command.addOption(optionOf(declaration));
  return command;
}

export interface CommandRunners {
  report: (options: CliOptions) => Promise<void>;
  keys: (options: KeysOptions) => Promise<void>;
}

export function buildProgram(run: CommandRunners): Command {
  const program = new Command('openrouter-usage')
    .description('What you are spending on OpenRouter: live Today / Week / Month totals, credit balance, and where the money went.')
    .version(__VERSION__, '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .showSuggestionAfterError(true)
    // A word where no command is expected is a mistyped command (`kyes`): named below, with the nearest one.
    .allowExcessArguments(true)
    .helpCommand('help [command]', 'show help for a command')
    .addHelpText('after', `\n${EXAMPLES}\n\n${EXIT_CODES}\n`)
    .action((options: CliOptions, command: Command) => {
      const [word] = command.args;
      if (word !== undefined) {
        const names = command.commands.map((c) => c.name()).concat('help');
        const near = nearest(word, names);
        command.error(`error: unknown command '${word}'${near ? ` (did you mean ${near}?)` : ''}`, {
          code: 'commander.unknownCommand',
          exitCode: ExitCode.usage,
        });
      }
      return run.report({
        ...options,
        daysGiven: command.getOptionValueSource('days') === 'cli',
        topGiven: command.getOptionValueSource('top') === 'cli',
      });
    });
  addOptions(program, 'report');
  addOptions(program, 'common');

  const keys = program
    .command('keys')
    .description('every API key of the account with today/week/month spend and cap (needs a management key)')
    .allowExcessArguments(false)
    .addHelpText('after', `\n${KEYS_EXAMPLES}\n`)
    .action((options: KeysOptions, command: Command) => run.keys({ ...command.optsWithGlobals<KeysOptions>(), ...options }));
  addOptions(keys, 'keys');
  return program;
}

/** Which module runs a command: the lazy-loading boundary of the CLI, in one place. */
const COMMANDS = {
  report: () => import('./commands/report.js'),
  watch: () => import('./commands/watch.js'),
  keys: () => import('./commands/keys.js'),
};

/**
 * Runs one command; every expected failure becomes one stderr line and its exit code, and with
 * --json also one JSON document on stdout, so a script that parses stdout always gets one.
 */
async function runGuarded(io: Io, json: boolean, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    const failure = io.signal?.aborted ? new CliError('aborted', 'interrupted') : toCliError(error);
    io.stderr.write(`openrouter-usage: ${failure.message}\n`);
    if (json) await writeOut(io.stdout, renderErrorDocument(failure, redactorOf(io)));
    return failure.exitCode;
  }
}

/** Whether the options ask for JSON, and only JSON (`--json --format csv` asks for nothing clear). */
function wantsJson(options: CommonOptions): boolean {
  try {
    return formatOf(options) === 'json';
  } catch {
    return false;
  }
}

/** The nearest of `candidates` to a mistyped word (optimal string alignment distance), as commander suggests flags. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    const length = Math.max(word.length, candidate.length);
    if ((length - distance) / length > 0.4 && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** Parses the command line with commander and runs the command; returns the exit code. */
export async function parseAndRun(argv: readonly string[], io: Io): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = buildProgram({
    report: async (options) => {
      exitCode = await runGuarded(io, wantsJson(options), async () =>
        options.watch !== undefined ? (await COMMANDS.watch()).runWatch(options, io) : (await COMMANDS.report()).runReport(options, io),
      );
    },
    keys: async (options) => {
      exitCode = await runGuarded(io, wantsJson(options), async () => (await COMMANDS.keys()).runKeys(options, io));
    },
  });
  let usageMessage: string | undefined;
  // Commander's message, with its suggestion on the next line ("(Did you mean --days?)"), as one line.
  const oneLine = (text: string) =>
    text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '')
      .join(' ')
      .replace('(Did you mean', '(did you mean');
  for (const command of [program, ...program.commands]) {
    command.exitOverride().configureOutput({
      writeOut: (text) => io.stdout.write(text),
      // Commander's own error text arrives here; it is reprinted below as one line.
      writeErr: (text) => {
        usageMessage ??= oneLine(text);
      },
      outputError: (text) => {
        usageMessage = oneLine(text);
      },
      getOutHelpWidth: () => terminalWidth(io) ?? 80,
      getErrHelpWidth: () => terminalWidth(io) ?? 80,
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    });
  }

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return ExitCode.ok;
      const message = `${(usageMessage ?? error.message).replace(/^error: /, '')}; see --help`;
      io.stderr.write(`openrouter-usage: ${message}\n`);
      if (requestedFormat(argv) === 'json') await writeOut(io.stdout, renderErrorDocument(new CliError('usage', message), redactorOf(io)));
      return ExitCode.usage;
    }
    if (error instanceof CliError) throw error;
    throw error;
  }
  return exitCode;
}

/** The run's redactor (the output edge's); without one, text passes as it is. */
function redactorOf(io: Io): (text: string) => string {
  return io.redaction?.redact ?? ((text) => text);
}
