/**
 * A stand-in for a GPU model server (the Hunyuan3D-2 API's POST /generate) on loopback. It
 * answers every request with the same GLB: a unit cube with its top face missing, the kind of
 * open mesh a real model server sometimes returns, so the backend's validation finds it not
 * watertight and repairs it (the CPU engine's own meshes never need a repair). It can hold
 * its answers, so jobs stay running and queued for as long as a test needs to look at them.
 */
import { createServer } from 'node:http';

const CUBE = [0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1];
/** Five faces of the cube, outward and counter-clockwise; the top (z = 1) is left open. */
const OPEN_BOX = [0, 2, 1, 0, 3, 2, 0, 1, 5, 0, 5, 4, 3, 7, 6, 3, 6, 2, 0, 4, 7, 0, 7, 3, 1, 2, 6, 1, 6, 5];

const pad = (buffer: Buffer, fill: number) => Buffer.concat([buffer, Buffer.alloc((4 - (buffer.length % 4)) % 4, fill)]);

export function openBoxGlb(): Buffer {
  const positions = Buffer.from(new Float32Array(CUBE).buffer);
  const indices = pad(Buffer.from(new Uint16Array(OPEN_BOX).buffer), 0);
  const bin = Buffer.concat([positions, indices]);
  const gltf = {
    asset: { version: '2.0', generator: 'orfeas monitoring e2e' },
    scene: 0,
    scenes: [{ nodes: [0] }],
    nodes: [{ mesh: 0 }],
    meshes: [{ primitives: [{ attributes: { POSITION: 0 }, indices: 1, mode: 4 }] }],
    buffers: [{ byteLength: bin.length }],
    bufferViews: [
      { buffer: 0, byteOffset: 0, byteLength: positions.length, target: 34962 },
      { buffer: 0, byteOffset: positions.length, byteLength: OPEN_BOX.length * 2, target: 34963 },
    ],
    accessors: [
      { bufferView: 0, componentType: 5126, count: CUBE.length / 3, type: 'VEC3', min: [0, 0, 0], max: [1, 1, 1] },
      { bufferView: 1, componentType: 5123, count: OPEN_BOX.length, type: 'SCALAR' },
    ],
  };
  const json = pad(Buffer.from(JSON.stringify(gltf)), 0x20);
  const chunk = (type: string, data: Buffer) => {
    const header = Buffer.alloc(8);
    header.writeUInt32LE(data.length, 0);
    header.write(type, 4, 'latin1');
    return Buffer.concat([header, data]);
  };
  const body = Buffer.concat([chunk('JSON', json), chunk('BIN\0', bin)]);
  const header = Buffer.alloc(12);
  header.write('glTF', 0, 'latin1');
  header.writeUInt32LE(2, 4);
  header.writeUInt32LE(12 + body.length, 8);
  return Buffer.concat([header, body]);
}

export interface ModelServer {
  url: string;
  /** Shapes asked for so far. */
  requests: number;
  /** Answers no request until release(): the job slot asking waits in its shape stage. */
  hold(): void;
  /** Answers the held requests, and the next ones at once. */
  release(): void;
  close(): Promise<void>;
}

export function startModelServer(): Promise<ModelServer> {
  const glb = openBoxGlb();
  let held: (() => void)[] | undefined;
  const state: ModelServer = {
    url: '',
    requests: 0,
    hold: () => {
      held ??= [];
    },
    release: () => {
      const waiting = held ?? [];
      held = undefined;
      for (const answer of waiting) answer();
    },
    close: async () => {},
  };
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/generate') return void response.writeHead(404).end();
      state.requests++;
      const answer = () => void response.writeHead(200, { 'content-type': 'model/gltf-binary', 'content-length': glb.length }).end(glb);
      if (held) held.push(answer);
      else answer();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      state.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      state.close = () =>
        new Promise((done) => {
          state.release();
          server.close(() => done());
        });
      resolve(state);
    });
  });
}
