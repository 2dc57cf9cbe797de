/**
 * Series whose label values are known in advance exist at 0 from the first scrape, so a
 * dashboard shows 0 rather than "No data" and rate() works from the start: stages, job types,
 * generation statuses, styles, cache types, client types, the protocol's event types.
 */
import { STYLES } from '@orfeas/engines';
import { GENERATION_STATUSES, GENERATION_TYPES, STAGES, WS_EVENTS } from '@orfeas/metrics/catalog';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../src/index.js';
import { scrape } from './support/scrape.js';
import { startTestServer } from './support/server.js';
import { createTestEngines } from './support/test-engines.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer({}, createTestEngines());
});
afterAll(() => server?.close());

it('has every known series at 0 before anything happened', async () => {
  const samples = await scrape(server.url);
  const at = (name: string, labels: Record<string, string>) =>
    samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
  const expected: [string, Record<string, string>][] = [
    ...STAGES.flatMap((stage) => [
      ['pipeline_stages_in_progress', { stage }] as [string, Record<string, string>],
      ['pipeline_stage_duration_seconds_count', { stage }] as [string, Record<string, string>],
    ]),
    ...GENERATION_TYPES.flatMap((type) => [
      ['job_queue_size', { type }] as [string, Record<string, string>],
      ['active_jobs', { type }] as [string, Record<string, string>],
      ['successful_generations_total', { type }] as [string, Record<string, string>],
      ['cache_hits_total', { cache_type: type }] as [string, Record<string, string>],
      ['cache_misses_total', { cache_type: type }] as [string, Record<string, string>],
      ['cache_entries', { cache_type: type }] as [string, Record<string, string>],
    ]),
    ...STYLES.flatMap((style) => GENERATION_STATUSES.map((status) => ['text_to_image_generations_total', { style, status }] as [string, Record<string, string>])),
    ['model_3d_generations_total', { format: 'glb', quality: 'high', status: 'cancelled' }],
    ['websocket_connections_total', { client_type: 'browser' }],
    ['websocket_connections_active', { client_type: 'api' }],
    ...WS_EVENTS.map((event_type) => ['websocket_messages_sent_total', { event_type }] as [string, Record<string, string>]),
    ['websocket_messages_received_total', { event_type: 'subscribe' }],
    ['storage_retention_deletions_total', {}],
  ];
  const missing = expected.filter(([name, labels]) => at(name, labels) !== 0).map(([name, labels]) => `${name}${JSON.stringify(labels)}`);
  expect(missing).toEqual([]);
});
