/**
 * The API contract, checked by a tool nobody here wrote: Schemathesis (from PyPI) reads
 * GET /openapi.json of the built backend and sends a few hundred generated requests to every
 * operation, following the document's links from a submission to its job. No answer may be a
 * 5xx, and every status, content type, header and body must be what the document says.
 */
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { needs } from './support/needs.js';
import { spawnBackend, type BackendProcess } from './support/process.js';
import { tempDataDir } from './support/server.js';

const CHECKS = ['not_a_server_error', 'status_code_conformance', 'content_type_conformance', 'response_headers_conformance', 'response_schema_conformance'];
let backend: BackendProcess | undefined;
afterAll(() => backend?.child.kill('SIGKILL'));

const schemathesis = () => spawnSync('st', ['--version'], { encoding: 'utf8' });

it('conforms to its OpenAPI document under Schemathesis, with no 5xx', { timeout: 300_000 }, async (ctx) => {
  const version = schemathesis();
  needs(ctx, version.status === 0 ? undefined : 'Schemathesis is not installed (python3 -m pip install schemathesis)');
  backend = await spawnBackend({ ORFEAS_DATA_DIR: tempDataDir(), ORFEAS_GPU: 'sim', ORFEAS_RATE_LIMIT: '0' });
  const document = (await (await fetch(`${backend.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
  expect(document.openapi).toBe('3.1.0');
  expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/api/v1/generations', '/api/v1/text-to-image', '/api/v1/jobs/{id}', '/metrics', '/ready']));

  const reports = tempDataDir();
  // Asynchronously: the backend's output pipe is read by this process while Schemathesis runs.
  const run = await new Promise<{ stdout: string; stderr: string }>((resolve) =>
    execFile(
      'st',
      ['run', `${backend!.url}/openapi.json`, '--checks', CHECKS.join(','), '--max-examples', '40', '--seed', '20261201', '--workers', '1',
        '--generation-database', 'none', '--no-color', '--report', 'json', '--report-dir', reports],
      { encoding: 'utf8', timeout: 240_000, maxBuffer: 64 * 1024 * 1024 },
      (_err, stdout, stderr) => resolve({ stdout, stderr }),
    ),
  );
  const file = fs.readdirSync(reports).find((f) => f.endsWith('.json'));
  const report = file ? JSON.parse(fs.readFileSync(path.join(reports, file), 'utf8')) : undefined;
  const summary = `${run.stdout.split('= FAILURES =')[1] ?? run.stdout.slice(-4000)}\n${run.stderr}\n${backend.output().slice(-2000)}`;
  expect(report?.exit_code, summary).toBe(0);
  expect(report.failures, summary).toEqual([]);
  expect(report.errors, summary).toEqual([]);
  expect(Object.values(report.phases).map((p: any) => p.status)).toEqual(['success', 'success', 'success', 'success']);
  // A few hundred cases at least, over every operation of the document.
  expect(report.test_cases.generated).toBeGreaterThan(300);
  console.log(`schemathesis ${version.stdout.trim()}: ${report.test_cases.generated} cases, ${report.running_time.toFixed(1)} s`);
});
