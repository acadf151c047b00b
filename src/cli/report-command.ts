/**
 * `semipriv report`: rebuilds an experiment folder's report from its saved
 * results alone.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SemiprivError } from '../errors.js';
import { incompleteSentence } from '../report/document.js';
import { buildReport, type BuiltReport } from '../report/build.js';
import { formatExperimentSummary } from '../report/summary.js';
import type { CommandSpec, ParsedFlags } from './options.js';

/** Flags of `semipriv report`. */
export const REPORT_SPEC: CommandSpec = {
  name: 'report',
  summary: 'rebuild report.html, report.md and results.json of an experiment folder',
  usage: 'semipriv report DIR',
  flags: [],
  takesArguments: true,
  details:
    'DIR is a folder written by semipriv experiment. Nothing is trained: the report is drawn\n' +
    'from the saved cells and scores, also while an experiment is still running.',
};

/** Runs `semipriv report DIR`. */
export async function reportCommand(
  _flags: ParsedFlags,
  positionals: readonly string[],
): Promise<BuiltReport> {
  if (positionals.length !== 1) {
    throw new SemiprivError(
      'SP_OPTION',
      `semipriv report: expected one folder, received ${positionals.length} arguments`,
    );
  }
  const dir = positionals[0];
  const hint = 'Pass the --out folder of semipriv experiment.';
  if (!existsSync(dir)) {
    throw new SemiprivError('SP_FILE', `semipriv report: ${dir}: no such folder`, { hint });
  }
  if (!statSync(dir).isDirectory()) {
    throw new SemiprivError(
      'SP_FILE',
      `semipriv report: ${dir}: expected an experiment folder, received a file`,
      { hint },
    );
  }
  if (!existsSync(join(dir, 'experiment.json'))) {
    throw new SemiprivError(
      'SP_OPTION',
      `semipriv report: expected a folder written by semipriv experiment, found no experiment.json in ${dir}`,
      { hint },
    );
  }
  const built = await buildReport(dir);
  const incomplete = incompleteSentence(built.results.missing);
  process.stdout.write(
    `${formatExperimentSummary(built.results)}\n` +
      (incomplete ? `incomplete: ${incomplete}\n` : '') +
      `report written to ${built.files.html} and ${built.files.markdown}\n`,
  );
  return built;
}
