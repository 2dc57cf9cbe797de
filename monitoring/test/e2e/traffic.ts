/**
 * Real traffic for the backend: images drawn with sharp, jobs submitted through the public API
 * and followed to the end, and socket.io clients that subscribe to jobs and to the GPU room.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { io, type Socket } from 'socket.io-client';

/** A PNG: a coloured disc on a plain background, or (subject: false) only the background. */
export async function drawImage({ subject = true, hue = 0, size = 96 } = {}): Promise<Buffer> {
  const disc = subject
    ? `<circle cx="${size / 2}" cy="${size / 2}" r="${size / 3}" fill="hsl(${hue}, 80%, 45%)"/>`
    : '';
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><rect width="100%" height="100%" fill="#f4f4f4"/>${disc}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

export async function submitImageTo3d(base: string, image: Buffer, fields = { format: 'glb', quality: 'low' }): Promise<Response> {
  const form = new FormData();
  form.append('image', new Blob([new Uint8Array(image)], { type: 'image/png' }), 'subject.png');
  form.append('format', fields.format);
  form.append('quality', fields.quality);
  return fetch(`${base}/api/v1/generations`, { method: 'POST', body: form });
}

export function submitTextToImage(base: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${base}/api/v1/text-to-image`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** The job id of a 202 answer, or an error carrying the answer. */
export async function acceptedJob(response: Response): Promise<string> {
  const body = (await response.json()) as { jobId?: string };
  if (response.status !== 202 || !body.jobId) throw new Error(`expected 202 with a jobId, got ${response.status} ${JSON.stringify(body)}`);
  return body.jobId;
}

export interface JobState {
  id: string;
  state: string;
  error: unknown;
  result: { url: string } | null;
}

/** Polls GET /api/v1/jobs/:id until the job is completed, failed or cancelled. */
export async function finishedJob(base: string, jobId: string, timeoutMs = 90_000): Promise<JobState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = (await (await fetch(`${base}/api/v1/jobs/${jobId}`)).json()) as JobState;
    if (['completed', 'failed', 'cancelled'].includes(job.state)) return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${job.state} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A connected socket.io client announcing itself as a browser or an API client. */
export function connectClient(base: string, clientType: 'browser' | 'api'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = io(base, { auth: { clientType }, transports: ['websocket'], reconnection: false, timeout: 10_000 });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(new Error(`socket.io connection to ${base} failed: ${error.message}`));
    });
  });
}

/** Subscribes to a job's room; resolves with the server's acknowledgement. */
export async function subscribe(socket: Socket, jobId: string): Promise<{ ok: boolean }> {
  return socket.timeout(10_000).emitWithAck('subscribe', { jobId });
}

/**
 * Runs `fault` while the backend's uploads directory is replaced by a plain file, so storing
 * an upload fails inside the service (a 500, not a refusal of the input); restores it after.
 */
export async function withUploadsBroken<T>(dataDir: string, fault: () => Promise<T>): Promise<T> {
  const uploads = join(dataDir, 'uploads');
  renameSync(uploads, `${uploads}.away`);
  writeFileSync(uploads, 'not a directory');
  try {
    return await fault();
  } finally {
    rmSync(uploads);
    renameSync(`${uploads}.away`, uploads);
  }
}
