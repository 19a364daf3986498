import { freshEntry, liveSettings, reportFrom } from './commands/answers.js';
import { writeWarnings } from './commands/warnings.js';
import { DEFAULTS } from './defaults.js';
import { ExitCode } from './errors.js';
import { writeOut, type Io } from './io.js';
import type { CliOptions } from './options.js';
import { renderOneline } from './render/oneline.js';

/**
 * A status bar refreshing from the cache (`--format oneline --cache N`) runs every few seconds, so
 * it should cost about a bare Node start: this path answers a fresh cache hit with the cache reader,
 * the schemas that validate the parts it prints, the report model and the oneline renderer, and nothing else
 * (no commander, no HTTP client, no other renderer). Whatever it does not recognise as exactly
 * such a run, a miss included, goes the ordinary way (undefined), which then says everything itself.
 */
export async function runStatusBar(argv: readonly string[], io: Io): Promise<number | undefined> {
  const options = statusBarOptions(argv);
  if (!options) return undefined;
  let text: string;
  let report;
  try {
    // The line shows no breakdown, so /activity, most of the entry, is neither validated nor summed:
    // the parts the line prints are (/key, /credits, /keys), and the line is the same.
    const fetched = freshEntry(liveSettings(options, io), options, io, (cache) => cache.readParts(['key', 'credits', 'keys']));
    if (!fetched) return undefined;
    const responses = { ...fetched.responses, activity: { status: 'needs-management-key' as const } };
    report = reportFrom({ ...fetched, responses }, options, io).report;
    text = renderOneline(report);
  } catch {
    // A missing key, a bad URL: the ordinary path gives the one-line error and the exit code.
    return undefined;
  }
  writeWarnings(io, report.warnings);
  await writeOut(io.stdout, text);
  return ExitCode.ok;
}

/** The words of a cached oneline run, with the values commander would give them; undefined for anything else. */
export function statusBarOptions(argv: readonly string[]): CliOptions | undefined {
  const options: CliOptions = { ...DEFAULTS, color: true };
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--no-color') {
      options.color = false;
      continue;
    }
    const eq = word.indexOf('=');
    const flag = eq > 0 ? word.slice(0, eq) : word;
    const value = eq > 0 ? word.slice(eq + 1) : argv[++i];
    if (value === undefined || value.startsWith('-')) return undefined;
    switch (flag) {
      case '--format':
        if (value !== 'oneline') return undefined;
        options.format = 'oneline';
        break;
      case '--cache':
        // 0 refreshes the cache: that run fetches, and goes the ordinary way.
        if (!/^[1-9]\d{0,4}$/.test(value) || Number(value) > 86_400) return undefined;
        options.cache = Number(value);
        break;
      case '--scope':
        if (value !== 'account' && value !== 'key') return undefined;
        options.scope = value;
        break;
      case '--base-url':
        options.baseUrl = value;
        break;
      case '--credentials-file':
        options.credentialsFile = value;
        break;
      default:
        return undefined;
    }
  }
  return options.format === 'oneline' && options.cache !== undefined ? options : undefined;
}
