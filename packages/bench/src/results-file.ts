import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import prettier from 'prettier';
import type { MachineNotes } from './machine.js';
import { resultCells, resultHeadings } from './result-table.js';
import type { ScenarioResult } from './scenario.js';
import { repositoryRoot, type BenchSettings } from './settings.js';

export interface RunDescription {
  readonly date: string;
  readonly commit: string;
  readonly machine: MachineNotes;
  readonly totalSeconds: number;
}

const beginMarker = '<!-- bench:results:begin (written by npm run bench; edits here are lost) -->';
const endMarker = '<!-- bench:results:end -->';

function markdownRow(cells: readonly string[]): string {
  return `| ${cells.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`;
}

function markdownTable(headings: readonly string[], rows: readonly (readonly string[])[]): string {
  return [
    markdownRow(headings),
    markdownRow(headings.map(() => '---')),
    ...rows.map(markdownRow),
  ].join('\n');
}

function resultsSection(
  settings: BenchSettings,
  run: RunDescription,
  results: readonly ScenarioResult[],
): string {
  const { machine } = run;
  const parts = [
    markdownTable(
      ['date', 'commit', 'duration', 'machine notes'],
      [
        [
          run.date,
          run.commit,
          `${Math.round(run.totalSeconds)} s${settings.smoke ? ' (smoke sizes)' : ''}`,
          `${machine.cores} × ${machine.cpu}, ${machine.memoryGigabytes} GiB; Node ${machine.node}; ${machine.kafka}; kcat ${machine.kcat}; load average ${machine.loadAverage.toFixed(1)} at the end`,
        ],
      ],
    ),
    markdownTable(
      resultHeadings,
      results.flatMap((result) => result.rows.map(resultCells)),
    ),
  ];
  for (const result of results) {
    parts.push(`**${result.title}.** ${result.notes.join(' ')}`);
    for (const chart of result.charts ?? []) {
      const link = relative(dirname(settings.reportFile), chart.file);
      parts.push(`![${chart.caption}](${link})`);
    }
  }
  return parts.join('\n\n');
}

/** The report with its results section replaced (or appended, the first time). */
function reportWithResults(template: string, section: string): string {
  const begin = template.indexOf(beginMarker);
  const end = template.indexOf(endMarker);
  const block = `${beginMarker}\n\n${section}\n\n${endMarker}`;
  if (begin === -1 || end === -1 || end < begin) {
    return `${template.trimEnd()}\n\n## Results\n\n${block}\n`;
  }
  return `${template.slice(0, begin)}${block}${template.slice(end + endMarker.length)}`;
}

async function formatted(text: string, file: string): Promise<string> {
  const options = await prettier.resolveConfig(file);
  return prettier.format(text, { ...options, filepath: file });
}

/**
 * Writes results.json into the output directory and the results section of the report, both
 * formatted as the repository's prettier check wants them. Returns the files written.
 */
export async function writeResults(
  settings: BenchSettings,
  run: RunDescription,
  results: readonly ScenarioResult[],
): Promise<string[]> {
  mkdirSync(settings.outputDirectory, { recursive: true });
  const resultsFile = join(settings.outputDirectory, 'results.json');
  const json = JSON.stringify({ ...run, smoke: settings.smoke, scenarios: results }, null, 2);
  writeFileSync(resultsFile, await formatted(json, resultsFile));

  // The committed report is the template, also for a smoke run that writes elsewhere.
  const committedReport = join(repositoryRoot, 'docs', 'benchmarks.md');
  const template = existsSync(committedReport)
    ? readFileSync(committedReport, 'utf8')
    : '# Benchmarks\n';
  const report = reportWithResults(template, resultsSection(settings, run, results));
  writeFileSync(settings.reportFile, await formatted(report, settings.reportFile));
  return [
    resultsFile,
    settings.reportFile,
    ...results.flatMap((result) => (result.charts ?? []).map((chart) => chart.file)),
  ];
}
