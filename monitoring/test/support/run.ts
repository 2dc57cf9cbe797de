/** Runs a command line tool and returns its exit status, its stdout, and all its output for messages. */
import { spawnSync } from 'node:child_process';

export function run(command: string, args: string[], cwd?: string): { status: number | null; stdout: string; output: string } {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout ?? '', output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}
