/** A throughput worker: runs image-to-3D jobs back to back until told how many are done. */
import { parentPort, workerData } from 'node:worker_threads';
import { runJob } from './pipeline.mjs';

const image = new Uint8Array(workerData.image);
for (let i = 0; i < workerData.jobs; i++) await runJob(image);
parentPort.postMessage('done');
