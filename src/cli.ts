import { Command, CommanderError, Option } from 'commander';
import { CliError, ExitCode, toCliError } from './errors.js';
import { integerIn, secondsIn, type CliOptions } from './options.js';
import { redact } from './redact.js';

const EXIT_CODES = `Exit codes:
  0  report printed (a part that could not be fetched is named in a warning)
  1  internal error (a bug: please report it)
  2  usage or configuration error (bad flag, missing OPENROUTER_API_KEY)
  3  key rejected by /key (HTTP 401 or 403)
  4  still rate-limited after retries
  5  network failure, timeout or server error after retries
  6  response not JSON or not the documented shape`;

const EXAMPLES = `Examples:
  $ openrouter-usage                      live totals, balance, top models of the last 7 days
  $ openrouter-usage --days 30 --top 0    every model of the last 30 completed UTC days
  $ openrouter-usage --json | jq .credits.remaining
  $ openrouter-usage --demo               sample output, no key or network needed
  $ openrouter-usage --env-file ~/secrets/openrouter.env

Keys: OPENROUTER_API_KEY (required) and OPENROUTER_MGMT_KEY (optional, a management key
for the balance and the model breakdown), from the environment, --env-file, ./credentials.env,
or $XDG_CONFIG_HOME/openrouter-usage/credentials.env; the first place that has a key wins.`;

export function buildProgram(): Command {
  return new Command('openrouter-usage')
    .description('What you are spending on OpenRouter: live Today / Week / Month totals, credit balance, and the models the money went to.')
    .version(__VERSION__, '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .option('--json', 'print one JSON document (schemaVersion 1) instead of text')
    .addOption(new Option('--days <n>', 'model breakdown window, in completed UTC days (1-30)').default(7).argParser(integerIn(1, 30)))
    .addOption(new Option('--top <n>', 'models listed in the text report; 0 lists all').default(8).argParser(integerIn(0, Number.MAX_SAFE_INTEGER)))
    .addOption(new Option('--timeout <seconds>', 'limit for each HTTP attempt').default(20).argParser(secondsIn(0.1, 600)))
    .addOption(new Option('--deadline <seconds>', 'limit for the whole run, retries included').default(45).argParser(secondsIn(1, 3600)))
    .addOption(new Option('--base-url <url>', 'API base URL (https, or http to localhost only)').env('OPENROUTER_BASE_URL'))
    .option('--env-file <path>', 'read keys from this file (dotenv format)')
    .option('--no-color', 'no colours (also: NO_COLOR, or stdout not a terminal)')
    .option('--demo', 'show a report built from sample data: no key, no network')
    .option('--debug', 'log each HTTP attempt to stderr (keys masked)')
    .addHelpText('after', `\n${EXAMPLES}\n\n${EXIT_CODES}\n`)
    .showSuggestionAfterError(true)
    .allowExcessArguments(false);
}

/** Runs the command line and returns the exit code; the caller sets it. Nothing here prints a stack. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  // A reader that stops early (`| head`) is not an error: end quietly, as Unix tools do.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(ExitCode.ok);
    process.stderr.write(`openrouter-usage: cannot write the report: ${error.message}\n`);
    process.exit(ExitCode.internal);
  });
  try {
    return await parseAndRun(argv);
  } catch (error) {
    process.stderr.write(`openrouter-usage: ${redact(toCliError(error).message)}\n`);
    return ExitCode.internal;
  }
}

async function parseAndRun(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  let usageMessage: string | undefined;
  program.exitOverride().configureOutput({
    writeErr: (text) => {
      // Commander's own error text arrives here; it is reprinted below as one line.
      usageMessage ??= text.split('\n').find((line) => line.trim() !== '');
    },
    outputError: (text) => {
      usageMessage = text.split('\n').find((line) => line.trim() !== '');
    },
  });

  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return ExitCode.ok;
      const message = (usageMessage ?? error.message).replace(/^error: /, '');
      process.stderr.write(`openrouter-usage: ${redact(message)} (see --help)\n`);
      return ExitCode.usage;
    }
    throw error;
  }

  const options = program.opts<CliOptions>();
  const controller = new AbortController();
  const onSigint = (): void => controller.abort(new CliError('aborted', 'interrupted'));
  process.once('SIGINT', onSigint);
  try {
    // Loaded only here, so --help and --version never pay for the HTTP client and the schemas.
    const { runReport } = await import('./run.js');
    return await runReport(options, { signal: controller.signal });
  } catch (error) {
    const failure = toCliError(error);
    if (controller.signal.aborted) {
      process.stderr.write('openrouter-usage: interrupted\n');
      return 130;
    }
    process.stderr.write(`openrouter-usage: ${redact(failure.message)}\n`);
    return failure.exitCode;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}
