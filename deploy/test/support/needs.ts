/**
 * Tests that need something from outside npm (a built addon, a root shell, a tool): outside CI
 * they say what is missing and are reported as skipped; under CI=true a missing need fails.
 */
import type { TestContext } from 'vitest';

export function needs(ctx: TestContext, missing: string | undefined): void {
  if (missing === undefined) return;
  if (process.env.CI === 'true') throw new Error(`required under CI: ${missing}`);
  ctx.skip(missing);
}
