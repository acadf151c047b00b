#!/usr/bin/env node
/**
 * The `semipriv` command line: dispatches to one command per subcommand name.
 */
import { packageVersion } from '../experiment/environment.js';
import { writesSettled } from '../data/idx.js';
import { SemiprivError } from '../errors.js';
import { reportFailure } from './exit.js';
import { logFormat, logLevel, setupLogging } from './logging.js';
import {
  closestName,
  formatHelp,
  parseFlags,
  type CommandSpec,
  type ParsedFlags,
} from './options.js';
import { RUN_SPEC, runCommand } from './run-command.js';
import { EXPERIMENT_SPEC, experimentCommand } from './experiment-command.js';
import { REPORT_SPEC, reportCommand } from './report-command.js';
import {
  CLIENT_SCORE_SPEC,
  CLIENT_SERVE_SPEC,
  CLIENT_TRAIN_SPEC,
  clientScoreCommand,
  clientServeCommand,
  clientTrainCommand,
} from './client-command.js';
import { DATASET_EXPORT_SPEC, datasetExportCommand } from './dataset-command.js';
import {
  SERVER_SERVE_SPEC,
  SERVER_TRAIN_SPEC,
  serverServeCommand,
  serverTrainCommand,
} from './server-command.js';

interface Command {
  spec: CommandSpec;
  run(flags: ParsedFlags, positionals: string[]): Promise<unknown>;
}

const COMMANDS: Command[] = [
  { spec: RUN_SPEC, run: (flags) => runCommand(flags) },
  { spec: EXPERIMENT_SPEC, run: (flags) => experimentCommand(flags) },
  { spec: REPORT_SPEC, run: (flags, positionals) => reportCommand(flags, positionals) },
  { spec: CLIENT_TRAIN_SPEC, run: (flags) => clientTrainCommand(flags) },
  { spec: CLIENT_SCORE_SPEC, run: (flags) => clientScoreCommand(flags) },
  { spec: CLIENT_SERVE_SPEC, run: (flags) => clientServeCommand(flags) },
  { spec: SERVER_TRAIN_SPEC, run: (flags) => serverTrainCommand(flags) },
  { spec: SERVER_SERVE_SPEC, run: (flags) => serverServeCommand(flags) },
  { spec: DATASET_EXPORT_SPEC, run: (flags) => datasetExportCommand(flags) },
];

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.spec.name.length)) + 4;
  return [
    'semipriv: distributed semi-private image classification. Each client trains a BIB-AE on',
    'the images of its own class and shares only two scores per probe image; the server',
    'classifies with those scores and a small labelled subset.',
    '',
    'Usage: semipriv <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.spec.name.padEnd(width)}${c.spec.summary}`),
    '',
    'Run `semipriv <command> --help` for the options of a command; `semipriv --version` prints the version.',
    'Environment: SEMIPRIV_LOG_LEVEL (info; warn on a terminal), SEMIPRIV_LOG_FORMAT (text|json),',
    'SEMIPRIV_CACHE_DIR (~/.cache/semipriv), SEMIPRIV_STOCK_KERNELS=1.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  // two-word commands ("client serve") take their second word from the arguments
  const pair = argv.slice(0, 2).join(' ');
  const twoWords = COMMANDS.some((c) => c.spec.name === pair);
  const name = twoWords ? pair : argv[0];
  const rest = argv.slice(twoWords ? 2 : 1);
  if (name === '--version' || name === '-V') {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${mainHelp()}\n`);
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.spec.name === name);
  const group = COMMANDS.filter((c) => c.spec.name.startsWith(`${name} `));
  const asksHelp = rest.includes('--help') || rest.includes('-h');
  if (!command && group.length > 0 && (rest.length === 0 || asksHelp)) {
    // "semipriv client" alone, or with --help after any second word, lists the client's commands
    const width = Math.max(...group.map((c) => c.spec.name.length)) + 4;
    const lines = group.map((c) => `  ${c.spec.name.padEnd(width)}${c.spec.summary}`);
    process.stdout.write(`Commands of semipriv ${name}:\n${lines.join('\n')}\n`);
    return rest.length === 0 ? 2 : 0;
  }
  if (!command && group.length > 0) {
    const words = group.map((c) => c.spec.name.slice(name.length + 1));
    throw unknownCommand(`semipriv ${name}`, rest[0], words);
  }
  if (!command) {
    const names = [...new Set(COMMANDS.map((c) => c.spec.name.split(' ')[0]))];
    throw unknownCommand('semipriv', name, names);
  }
  const { flags, positionals, help } = parseFlags(command.spec, rest);
  if (help) {
    process.stdout.write(`${formatHelp(command.spec)}\n`);
    return 0;
  }
  setupLogging(
    logLevel(process.env.SEMIPRIV_LOG_LEVEL, process.stderr.isTTY),
    logFormat(process.env.SEMIPRIV_LOG_FORMAT),
  );
  await command.run(flags, positionals);
  return 0;
}

/** A command word that names no command, with the nearest one when it looks like a typo. */
function unknownCommand(prefix: string, given: string, words: readonly string[]): SemiprivError {
  const closest = closestName(given, words);
  const guess = closest === undefined ? '' : `; did you mean "${prefix} ${closest}"?`;
  return new SemiprivError(
    'SP_OPTION',
    `${prefix} has no command "${given}"; expected one of ${words.join(', ')}${guess}`,
    { hint: `Run ${prefix} --help to list its commands.` },
  );
}

// a reader that went away (`semipriv … | head`) ends the command as SIGPIPE would, quietly,
// once the files being written are whole
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    void writesSettled().then(() => process.exit(141));
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.exitCode = reportFailure(error);
  },
);
