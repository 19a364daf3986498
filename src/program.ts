import { Command, CommanderError, Option } from 'commander';
import { CliError, ExitCode, toCliError } from './errors.js';
import type { Io } from './io.js';
import {
  DEFAULT_WATCH_SECONDS,
  FORMATS,
  GROUPS,
  MIN_WATCH_SECONDS,
  SCOPES,
  calendarDay,
  integerIn,
  secondsIn,
  usd,
  type CliOptions,
  type KeysOptions,
} from './options.js';

const EXIT_CODES = `Exit codes:
  0  report printed (a part that could not be fetched is named in a warning)
  1  internal error (a bug: please report it)
  2  usage or configuration error (bad flag, no key, unknown --workspace)
  3  key rejected (HTTP 401 or 403 on an endpoint the run needs)
  4  still rate-limited after retries
  5  network failure, timeout or server error after retries
  6  response not JSON or not the documented shape
  7  a --min-balance / --max-today / --max-month / --max-forecast threshold was crossed (the report is still printed)
  130 interrupted`;

const EXAMPLES = `Examples:
  $ openrouter-usage                      live totals, balance, top models of the last 7 days
  $ openrouter-usage --days 30 --top 0    every model of the last 30 UTC days (today live, with analytics)
  $ openrouter-usage --since 2025-06-01 --by month    a year of history (analytics)
  $ openrouter-usage --by hour            today's spend hour by hour (analytics)
  $ openrouter-usage --by provider --details
  $ openrouter-usage --json | jq .credits.remaining
  $ openrouter-usage --min-balance 5 --max-today 20 || notify-send "OpenRouter"
  $ openrouter-usage --format oneline --cache 60    for tmux or a shell prompt
  $ openrouter-usage --format csv --days 30 > spend.csv
  $ openrouter-usage --watch              a live dashboard, refreshed every minute
  $ openrouter-usage keys                 every key of the account, by workspace (management key)
  $ openrouter-usage --workspace research one workspace's totals, breakdown and keys
  $ openrouter-usage --by workspace       where the money went, per workspace
  $ openrouter-usage --demo               sample output, no key or network needed

Keys: OPENROUTER_API_KEY (an inference key: its own live totals) and OPENROUTER_MGMT_KEY
(a management key: the balance, the totals of every key in every workspace, and the
breakdown); either one alone is enough. From the environment, --credentials-file,
./credentials.env, or $XDG_CONFIG_HOME/openrouter-usage/credentials.env; the first place
that has a key wins.`;

/**
 * Flags every command shares: where to ask, how long to wait, how to print. They belong to the
 * program, so they work before or after a command (`--json keys` is `keys --json`).
 */
function addCommonOptions(command: Command): Command {
  return command
    .option('--json', 'print one JSON document (schemaVersion 1); short for --format json')
    .addOption(new Option('--format <format>', 'output: text, json, markdown, csv (the breakdown) or oneline (status bars)').choices(FORMATS))
    .addOption(new Option('--timeout <seconds>', 'limit for each HTTP attempt').default(20).argParser(secondsIn(0.1, 600)))
    .addOption(new Option('--deadline <seconds>', 'limit for the whole run, retries included').default(45).argParser(secondsIn(1, 3600)))
    .option('--base-url <url>', 'API base URL (https, or http to localhost only) (env: OPENROUTER_BASE_URL)')
    .option('--credentials-file <path>', 'read keys from this file (dotenv format)')
    .option('--no-color', 'no colours (also: NO_COLOR, or stdout not a terminal)')
    .option('--demo', 'use sample data shipped in the package: no key, no network')
    .option('--debug', 'log each HTTP attempt to stderr (keys masked)');
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
    .addOption(
      new Option('--days <n>', 'breakdown window in UTC days (1-365): with analytics the last N including today, else N completed days (30 at most)')
        .default(7)
        .argParser(integerIn(1, 365)),
    )
    .addOption(new Option('--since <date>', 'breakdown from this UTC day (YYYY-MM-DD, inclusive; up to 365 days back with analytics)').argParser(calendarDay))
    .addOption(new Option('--until <date>', 'breakdown through this UTC day (YYYY-MM-DD, inclusive; default today)').argParser(calendarDay))
    .addOption(new Option('--top <n>', 'rows listed in the text breakdown; 0 lists all').default(8).argParser(integerIn(0, Number.MAX_SAFE_INTEGER)))
    .addOption(new Option('--by <group>', 'group the breakdown by (key and hour need analytics; provider covers 31 days)').choices(GROUPS).default('model'))
    .addOption(new Option('--scope <scope>', 'breakdown of the whole account, or of the API key in use').choices(SCOPES).default('account'))
    .option('--workspace <workspace>', 'limit account totals, breakdown and keys to one workspace (name, slug or id)')
    .option('--details', 'a table with tokens and $ per million tokens')
    .option('--full-names', 'full model ids (openai/gpt-4.1) instead of short names')
    .addOption(new Option('--min-balance <usd>', 'exit 7 when the balance is below this').argParser(usd))
    .addOption(new Option('--max-today <usd>', "exit 7 when today's spend is above this").argParser(usd))
    .addOption(new Option('--max-month <usd>', "exit 7 when this month's spend is above this").argParser(usd))
    .addOption(new Option('--max-forecast <usd>', 'exit 7 when the month-end projection is above this (analytics)').argParser(usd))
    .addOption(
      new Option('--cache <seconds>', 'reuse answers fetched less than this long ago (for status bars and agents that poll)').argParser(integerIn(0, 86_400)),
    )
    .addOption(
      new Option(
        '--watch [seconds]',
        `redraw the report in place every N seconds (minimum ${MIN_WATCH_SECONDS}, default ${DEFAULT_WATCH_SECONDS}) until Ctrl-C`,
      ).argParser(integerIn(MIN_WATCH_SECONDS, 86_400)),
    )
    .showSuggestionAfterError(true)
    .allowExcessArguments(false)
    .addHelpText('after', `\n${EXAMPLES}\n\n${EXIT_CODES}\n`)
    .action((options: CliOptions, command: Command) => run.report({ ...options, daysGiven: command.getOptionValueSource('days') === 'cli' }));
  addCommonOptions(program);

  program
    .command('keys')
    .description('every API key of the account with today/week/month spend and cap (needs a management key)')
    .option('--include-disabled', 'list disabled keys too')
    .option('--workspace <workspace>', 'only the keys of this workspace (name, slug or id)')
    .allowExcessArguments(false)
    .action((options: KeysOptions, command: Command) => run.keys({ ...command.optsWithGlobals<KeysOptions>(), ...options }));
  return program;
}

/** Which module runs a command: the lazy-loading boundary of the CLI, in one place. */
const COMMANDS = {
  report: () => import('./commands/report.js'),
  watch: () => import('./commands/watch.js'),
  keys: () => import('./commands/keys.js'),
};

/** Runs one command; every expected failure becomes one stderr line and its exit code. */
async function runGuarded(io: Io, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (io.signal?.aborted) {
      io.stderr.write('openrouter-usage: interrupted\n');
      return ExitCode.interrupted;
    }
    const failure = toCliError(error);
    io.stderr.write(`openrouter-usage: ${failure.message}\n`);
    return failure.exitCode;
  }
}

/** Parses the command line with commander and runs the command; returns the exit code. */
export async function parseAndRun(argv: readonly string[], io: Io): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = buildProgram({
    report: async (options) => {
      exitCode = await runGuarded(io, async () =>
        options.watch !== undefined ? (await COMMANDS.watch()).runWatch(options, io) : (await COMMANDS.report()).runReport(options, io),
      );
    },
    keys: async (options) => {
      exitCode = await runGuarded(io, async () => (await COMMANDS.keys()).runKeys(options, io));
    },
  });
  let usageMessage: string | undefined;
  const firstLine = (text: string) => text.split('\n').find((line) => line.trim() !== '');
  for (const command of [program, ...program.commands]) {
    command.exitOverride().configureOutput({
      writeOut: (text) => io.stdout.write(text),
      // Commander's own error text arrives here; it is reprinted below as one line.
      writeErr: (text) => {
        usageMessage ??= firstLine(text);
      },
      outputError: (text) => {
        usageMessage = firstLine(text);
      },
      getOutHelpWidth: () => io.columns ?? 80,
      getErrHelpWidth: () => io.columns ?? 80,
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    });
  }

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return ExitCode.ok;
      const message = (usageMessage ?? error.message).replace(/^error: /, '');
      io.stderr.write(`openrouter-usage: ${message} (see --help)\n`);
      return ExitCode.usage;
    }
    if (error instanceof CliError) throw error;
    throw error;
  }
  return exitCode;
}
