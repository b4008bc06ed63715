/**
 * What the e2e run prints: a heading per step, one PASS/FAIL line per check with the figure
 * behind it, and a final "N passed, N failed" line (the shape .ci/summary.mjs and people read).
 */
export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly figure: string;
}

export class Report {
  readonly results: CheckResult[] = [];
  private readonly started = Date.now();
  /** Set on Ctrl-C/SIGTERM/timeout: remaining checks are not started (teardown runs meanwhile). */
  aborted = false;

  step(title: string): void {
    if (this.aborted) return;
    console.log(`\n==> ${title}  [t+${this.elapsed()}]`);
  }

  info(line: string): void {
    console.log(`    ${line}`);
  }

  check(name: string, ok: boolean, figure: string): boolean {
    this.results.push({ name, ok, figure });
    console.log(`${ok ? 'PASS' : 'FAIL'} ${name}: ${figure}`);
    return ok;
  }

  /**
   * Runs `work`, which returns [ok, figure]; an exception is a FAIL carrying its message, so
   * one broken dependency fails its checks loudly without stopping the rest of the run.
   */
  async run(name: string, work: () => Promise<[boolean, string]>): Promise<boolean> {
    if (this.aborted) return false;
    try {
      const [ok, figure] = await work();
      return this.check(name, ok, figure);
    } catch (error) {
      return this.check(name, false, error instanceof Error ? error.message : String(error));
    }
  }

  get failed(): number {
    return this.results.filter((r) => !r.ok).length;
  }

  get passed(): number {
    return this.results.filter((r) => r.ok).length;
  }

  elapsed(): string {
    return `${((Date.now() - this.started) / 1000).toFixed(1)} s`;
  }

  summary(): string {
    const failed = this.results.filter((r) => !r.ok);
    const lines = ['', `e2e finished in ${this.elapsed()}`];
    if (failed.length > 0)
      lines.push('Failed checks:', ...failed.map((r) => `  FAIL ${r.name}: ${r.figure}`));
    lines.push(`${this.passed} passed, ${this.failed} failed`);
    return lines.join('\n');
  }
}
