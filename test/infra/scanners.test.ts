/**
 * The synthesized template through the two scanners CI runs: cfn-lint (no errors) and checkov (no
 * failed check; every skip is written next to its resource with a reason, and every skip is used).
 * One synth with bundling, every option on, shared by the file.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePythonTools, type PythonTools } from '../../dev/emulator/python-env';
import { createApp } from '../../infra/create-app';
import { cdkJsonContext } from './infra-support';

const run = promisify(execFile);

/**
 * cfn-lint warnings the template may carry, each with why. W3005: CDK makes every function
 * DependsOn its role and the role's policy; the role half is redundant with the GetAtt, harmless.
 */
const ACCEPTED_CFN_LINT_WARNINGS: Record<string, string> = {
  W3005: 'CDK adds DependsOn on the execution role next to the GetAtt; redundant, harmless',
};

interface CfnLintMatch {
  readonly Level: string;
  readonly Rule: { readonly Id: string };
  readonly Message: string;
}

interface CheckovReport {
  readonly results?: { readonly failed_checks?: { check_id: string; resource: string }[] };
  readonly summary: { readonly failed: number; readonly skipped: number };
}

interface Template {
  Resources: Record<
    string,
    { Type: string; Metadata?: { checkov?: { skip?: { id: string; comment: string }[] } } }
  >;
}

describe('template scanners', () => {
  let tools: PythonTools;
  let outdir: string;
  let templateFile: string;
  let template: Template;

  beforeAll(async () => {
    // Prepare
    tools = await ensurePythonTools({ env: 'scanners' });
    outdir = await mkdtemp(join(tmpdir(), 'zoho-infra-scan-'));
    const { app, stack } = createApp({
      outdir,
      context: {
        ...cdkJsonContext(),
        alarmEmail: 'ops@example.com',
        connectEndpoint: 'true',
        exampleConsumer: 'true',
        exampleConsumerConnectionId: 'acme-books',
        allowedAccountsServers: 'https://accounts.example.com',
      },
    });
    // Act
    templateFile = app.synth().getStackByName(stack.stackName).templateFullPath;
    template = JSON.parse(await readFile(templateFile, 'utf8')) as Template;
  });

  afterAll(async () => {
    await rm(outdir, { recursive: true, force: true });
  });

  it('cfn-lint finds no error and only the accepted warnings', async () => {
    // cfn-lint exits non-zero when it finds anything; the JSON on stdout is the verdict.
    const output = await run(tools.bin('cfn-lint'), ['--format', 'json', templateFile]).then(
      (result) => result.stdout,
      (error: { stdout?: string }) => error.stdout ?? '',
    );
    const matches = JSON.parse(output) as CfnLintMatch[];
    expect(matches.filter((match) => match.Level === 'Error').map((match) => match.Message)).toEqual([]);
    const unexpected = matches.filter((match) => !(match.Rule.Id in ACCEPTED_CFN_LINT_WARNINGS));
    expect(unexpected.map((match) => `${match.Rule.Id}: ${match.Message}`)).toEqual([]);
  });

  it('checkov fails no check, and uses every written skip', async () => {
    // --skip-download: no call to Prisma Cloud for guidelines (the test runs without network).
    const args = [
      '-f',
      templateFile,
      '--framework',
      'cloudformation',
      '--compact',
      '--quiet',
      '-o',
      'json',
      '--skip-download',
    ];
    const output = await run(tools.bin('checkov'), args, { maxBuffer: 32 * 1024 * 1024 }).then(
      (result) => result.stdout,
      (error: { stdout?: string }) => error.stdout ?? '',
    );
    const parsed = JSON.parse(output) as CheckovReport | CheckovReport[];
    const report = Array.isArray(parsed) ? parsed : [parsed];
    const failed = report
      .flatMap((r) => r.results?.failed_checks ?? [])
      .map((c) => `${c.check_id} on ${c.resource}`);
    expect(failed).toEqual([]);
    const skips = Object.values(template.Resources).flatMap(
      (resource) => resource.Metadata?.checkov?.skip ?? [],
    );
    expect(report.reduce((sum, r) => sum + r.summary.skipped, 0)).toBe(skips.length);
  });

  it('gives every checkov skip a reason', () => {
    const skips = Object.entries(template.Resources).flatMap(([id, resource]) =>
      (resource.Metadata?.checkov?.skip ?? []).map((skip) => ({ ...skip, id: `${skip.id} on ${id}` })),
    );
    expect(skips.length).toBeGreaterThan(0);
    for (const skip of skips) expect(skip.comment.length, skip.id).toBeGreaterThan(40);
  });
});
