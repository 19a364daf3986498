import { ExitCode } from './errors.js';
import { redact } from './redact.js';

/**
 * The entry. It loads nothing it does not need: `--version` answers before commander is even read,
 * and the command line parser, the HTTP client and the schemas load only on the paths that use them.
 */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  // A reader that stops early (`| head`) is not an error: end quietly, as Unix tools do.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(ExitCode.ok);
    process.stderr.write(`openrouter-usage: cannot write the report: ${error.message}\n`);
    process.exit(ExitCode.internal);
  });
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
    process.stdout.write(`${__VERSION__}\n`);
    return ExitCode.ok;
  }
  try {
    return await (await import('./program.js')).parseAndRun(argv);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`openrouter-usage: internal error: ${redact(message)}\n`);
    return ExitCode.internal;
  }
}
