/**
 * Small readers for the exported formats, written from the format descriptions rather than
 * from the writers, so that a test reading a file back checks what another tool would see.
 */
export interface ParsedMesh {
  positions: Float32Array;
  indices: Uint32Array;
  uvs?: Float32Array;
}

/** Binary STL: the declared count must match the byte length; each facet brings its own vertices. */
export function parseStl(data: Uint8Array): ParsedMesh & { declared: number } {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const declared = view.getUint32(80, true);
  if (data.byteLength !== 84 + declared * 50) throw new Error(`STL length ${data.byteLength} does not hold ${declared} facets`);
  const positions = new Float32Array(declared * 9);
  for (let f = 0; f < declared; f++) for (let k = 0; k < 9; k++) positions[f * 9 + k] = view.getFloat32(84 + f * 50 + 12 + k * 4, true);
  return { positions, indices: Uint32Array.from({ length: declared * 3 }, (_, i) => i), declared };
}

export function parseObj(text: string): ParsedMesh & { mtllib?: string } {
  const v: number[] = [];
  const vt: number[] = [];
  const idx: number[] = [];
  let mtllib: string | undefined;
  for (const line of text.split('\n')) {
    const [tag, ...rest] = line.trim().split(/\s+/);
    if (tag === 'v') v.push(...rest.map(Number));
    else if (tag === 'vt') vt.push(...rest.map(Number));
    else if (tag === 'mtllib') mtllib = rest[0];
    else if (tag === 'f') {
      if (rest.length !== 3) throw new Error(`not a triangle: ${line}`);
      for (const corner of rest) {
        const i = Number(corner.split('/')[0]) - 1;
        if (!(i >= 0 && i < v.length / 3)) throw new Error(`face index out of range: ${line}`);
        idx.push(i);
      }
    }
  }
  return { positions: new Float32Array(v), indices: new Uint32Array(idx), uvs: new Float32Array(vt), ...(mtllib ? { mtllib } : {}) };
}

const PLY_TYPES: Record<string, [number, (v: DataView, o: number) => number]> = {
  float: [4, (d, o) => d.getFloat32(o, true)],
  uchar: [1, (d, o) => d.getUint8(o)],
  int: [4, (d, o) => d.getInt32(o, true)],
  uint: [4, (d, o) => d.getUint32(o, true)],
};

export function parsePly(data: Uint8Array): ParsedMesh & { comments: string[] } {
  const text = new TextDecoder('latin1').decode(data.subarray(0, Math.min(data.length, 4096)));
  const end = text.indexOf('end_header\n');
  if (!text.startsWith('ply\n') || end < 0) throw new Error('not a PLY file');
  const lines = text.slice(0, end).split('\n');
  if (!lines.includes('format binary_little_endian 1.0')) throw new Error('not binary little-endian');
  const elements: { name: string; count: number; props: string[][] }[] = [];
  const comments: string[] = [];
  for (const line of lines) {
    const parts = line.split(' ');
    if (parts[0] === 'element') elements.push({ name: parts[1]!, count: Number(parts[2]), props: [] });
    else if (parts[0] === 'property') elements.at(-1)!.props.push(parts.slice(1));
    else if (parts[0] === 'comment') comments.push(parts.slice(1).join(' '));
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let o = end + 'end_header\n'.length;
  const positions: number[] = [];
  const indices: number[] = [];
  for (const el of elements) {
    for (let i = 0; i < el.count; i++) {
      for (const prop of el.props) {
        if (prop[0] === 'list') {
          const [cs, cr] = PLY_TYPES[prop[1]!]!;
          const [is, ir] = PLY_TYPES[prop[2]!]!;
          const n = cr(view, o);
          o += cs;
          if (n !== 3) throw new Error(`face with ${n} corners`);
          for (let k = 0; k < n; k++, o += is) indices.push(ir(view, o));
        } else {
          const [size, read] = PLY_TYPES[prop[0]!]!;
          if (el.name === 'vertex' && ['x', 'y', 'z'].includes(prop[1]!)) positions.push(read(view, o));
          o += size;
        }
      }
    }
  }
  if (o !== data.byteLength) throw new Error(`PLY body is ${data.byteLength - o} bytes longer than its header says`);
  return { positions: new Float32Array(positions), indices: new Uint32Array(indices), comments };
}
