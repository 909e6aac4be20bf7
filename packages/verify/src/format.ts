import { VerifyReport } from './report';

/**
 * The report for people: one line per check (PASS/FAIL, resource, check, observed value,
 * and the expected value when it failed), then a summary line.
 */
export function formatText(report: VerifyReport): string {
  const lines: string[] = [`Verifying stack ${report.stack}${report.region ? ` in ${report.region}` : ''}`];
  const resourceWidth = Math.max(0, ...report.checks.map(c => c.resource.length));
  const checkWidth = Math.max(0, ...report.checks.map(c => c.check.length));
  for (const c of report.checks) {
    const expected = !c.ok && c.expected !== undefined ? ` (expected ${c.expected})` : '';
    lines.push(`${c.ok ? 'PASS' : 'FAIL'}  ${c.resource.padEnd(resourceWidth)}  ${c.check.padEnd(checkWidth)}  ${c.observed}${expected}`);
  }
  const { passed, failed } = report.summary;
  const total = passed + failed;
  if (report.error) {
    lines.push(`ERROR ${report.error.kind}: ${report.error.message}`);
    const made = total > 0 ? `, after ${total} checks (${passed} passed, ${failed} failed)` : '';
    lines.push(`Could not verify stack ${report.stack}${made} (exit ${report.exitCode})`);
  } else if (failed > 0) {
    lines.push(`FAILED: ${failed} of ${total} checks failed, ${passed} passed (exit ${report.exitCode})`);
  } else {
    lines.push(`OK: all ${total} checks passed (exit ${report.exitCode})`);
  }
  return lines.join('\n') + '\n';
}

/**
 * The report for machines, with every key present (absent values as null):
 * `{ stack, region, ok, exitCode, checks: [{ resource, logicalId, check, ok, observed, expected }],
 * summary: { passed, failed }, error: { kind, message } | null }`.
 */
export function formatJson(report: VerifyReport): string {
  return JSON.stringify({
    stack: report.stack,
    region: report.region ?? null,
    ok: report.ok,
    exitCode: report.exitCode,
    checks: report.checks.map(c => ({
      resource: c.resource,
      logicalId: c.logicalId ?? null,
      check: c.check,
      ok: c.ok,
      observed: c.observed,
      expected: c.expected ?? null,
    })),
    summary: { passed: report.summary.passed, failed: report.summary.failed },
    error: report.error ? { kind: report.error.kind, message: report.error.message } : null,
  }, null, 2) + '\n';
}
