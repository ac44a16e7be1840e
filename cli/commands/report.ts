import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REPORTS_PREFIX } from '../../lambdas/contracts';
import { parseCommandArgs } from '../args';
import { requireStatesArn, resolveRegion } from '../arn';
import { currentExecution, errorCode } from '../chain';
import { type CliDeps, println } from '../deps';
import { EXIT, EXIT_CODES_HELP, ServiceError, UsageError } from '../errors';
import { fieldOf, parseJsonOutput } from '../exit-code';
import { escapeText, printJson, printRows, shown } from '../output';
import { endedRun } from '../run-result';

export const REPORT_OPTIONS = {
  region: { type: 'string' },
  bucket: { type: 'string' },
  out: { type: 'string' },
  open: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

const DEFAULT_REPORT_DIR = 'reports';

export const REPORT_HELP = `Usage: ltc report <executionArn> [--out DIR] [--open] [--bucket NAME] [--region REGION] [--json]

Downloads a run's report.html and summary.json from the reports bucket into
DIR/<execution name>/ and prints the report's path. Given any execution of a
long soak, it fetches the run's report. The bucket and key come from the run's
verdict; a run that has none yet (still running, or failed before Evaluate) is
looked up in --bucket under ${REPORTS_PREFIX}<environment>/<execution name>/.

Options:
  --out DIR         where to save it (default: ./${DEFAULT_REPORT_DIR})
  --open            open the report with the desktop's viewer
  --bucket NAME     reports bucket (default: $LTC_REPORTS_BUCKET); needed only
                    when the run's verdict names none
  --region REGION   default: the ARN's region
  --json            one JSON document on stdout (schema/cli-output.schema.json)

${EXIT_CODES_HELP}`;

/** Where a run's report files are: `s3://<bucket>/<prefix>report.html`. */
interface ReportLocation {
  readonly bucket: string;
  /** Key of the folder, ending in `/`. */
  readonly folder: string;
  readonly executionName: string;
}

export async function reportCommand(args: readonly string[], deps: CliDeps): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, REPORT_OPTIONS, { names: ['executionArn'] });
  const executionArn = positionals[0] as string;
  const arn = requireStatesArn(executionArn, 'execution', '<executionArn>');
  const region = resolveRegion(values.region, arn, deps.env);
  const sfn = deps.sfn(region);

  const position = await currentExecution(sfn, executionArn);
  const ended = await endedRun(sfn, position.description);
  const given =
    position.executionArn === executionArn
      ? position.description
      : await sfn.describeExecution({ executionArn });
  const location =
    locationOf(ended.verdict?.report) ??
    fallbackLocation(values.bucket ?? deps.env.LTC_REPORTS_BUCKET, given.input, arn.resource);

  if (location.executionName === '.' || location.executionName === '..')
    throw new UsageError(`<executionArn>: the run's report folder ${shown(location.folder)} is not a name`);
  const bucket = deps.s3(region);
  const folder = resolve(deps.cwd, values.out ?? DEFAULT_REPORT_DIR, location.executionName);
  const bodies: Uint8Array[] = [];
  for (const file of ['report.html', 'summary.json']) {
    const key = `${location.folder}${file}`;
    try {
      bodies.push(await bucket.getObject(location.bucket, key));
    } catch (err) {
      if (err instanceof ServiceError && errorCode(err) === 'NoSuchKey') {
        throw new ServiceError(
          err.service,
          err.endpoint,
          `has no s3://${location.bucket}/${key}`,
          position.description.status === 'RUNNING'
            ? 'the run is still running: its report is written when it ends'
            : 'the run ended before Evaluate wrote a report',
          'NoSuchKey',
        );
      }
      throw err;
    }
  }
  // Written only once both are read: a failed download leaves nothing half there.
  mkdirSync(folder, { recursive: true });
  const files = { report: join(folder, 'report.html'), summary: join(folder, 'summary.json') };
  writeFileSync(files.report, bodies[0] as Uint8Array);
  writeFileSync(files.summary, bodies[1] as Uint8Array);

  if (values.json) {
    printJson(deps.stdout, {
      command: 'report',
      exitCode: EXIT.ok,
      executionArn,
      currentExecutionArn: position.executionArn,
      location: `s3://${location.bucket}/${location.folder}`,
      report: files.report,
      summary: files.summary,
      opened: values.open === true && (await openReport(files.report, deps)),
    });
  } else {
    printRows(deps.stdout, [
      ['report', files.report],
      ['summary', files.summary],
      ['from', `s3://${location.bucket}/${location.folder}`],
    ]);
    if (values.open) await openReport(files.report, deps);
  }
  return EXIT.ok;
}

/** Opens the downloaded report; a desktop without a viewer gets a warning, the download stands. */
async function openReport(path: string, deps: CliDeps): Promise<boolean> {
  try {
    await deps.open(path);
    return true;
  } catch (err) {
    println(deps.stderr, `ltc report: ${escapeText((err as Error).message)}; the report is at ${path}`);
    return false;
  }
}

/** `s3://bucket/runs/env/name/report.html` → its bucket, folder and execution name. */
function locationOf(report: string | undefined): ReportLocation | undefined {
  const match = report === undefined ? null : /^s3:\/\/([^/]+)\/(.*\/)([^/]+)\/[^/]+$/.exec(report);
  if (!match) return undefined;
  const [, bucket = '', parent = '', executionName = ''] = match;
  return { bucket, folder: `${parent}${executionName}/`, executionName };
}

/**
 * Without a verdict: the run's environment and first execution's name from the execution's input (a
 * continuation's input is the run's state, which names both), in the bucket given.
 */
function fallbackLocation(bucket: string | undefined, input: unknown, resource: string): ReportLocation {
  if (!bucket) {
    throw new UsageError(
      '--bucket: the run has no verdict naming its report yet; pass --bucket or set LTC_REPORTS_BUCKET',
    );
  }
  const parsed = parseJsonOutput(input);
  const run = fieldOf(parsed, 'run');
  const request = fieldOf(run, 'request');
  const environment = fieldOf(request, 'environment') ?? fieldOf(parsed, 'environment');
  const name = fieldOf(run, 'executionName') ?? resource.split(':').at(-1);
  if (typeof environment !== 'string' || typeof name !== 'string') {
    throw new UsageError(`<executionArn>: the execution's input names no environment (${shown(input)})`);
  }
  return { bucket, folder: `${REPORTS_PREFIX}${environment}/${name}/`, executionName: name };
}
