/**
 * The addon's generated types (addon.d.ts, from crates/gpu-sampler/src/napi.rs) carry the
 * catalog's label values: the string enums and the keyed shapes hold exactly its lists.
 */
import { readFileSync } from 'node:fs';
import { GPU_CLOCKS, GPU_FIELDS, GPU_MEMORY_TYPES, GPU_SOURCES, GPU_THROTTLE_REASONS } from '@orfeas/metrics/catalog';
import ts from 'typescript';
import { expect, it } from 'vitest';
import type { GpuClocksHz, GpuField, GpuMemoryBytes, GpuSource, GpuThrottleReason } from '../src/index.js';

const file = new URL('../addon.d.ts', import.meta.url);
const source = ts.createSourceFile('addon.d.ts', readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);

/** The string literals of `export type <name> = 'a' | 'b'`, in order. */
function unionOf(name: string): string[] {
  const alias = source.statements.find((s): s is ts.TypeAliasDeclaration => ts.isTypeAliasDeclaration(s) && s.name.text === name);
  if (!alias) throw new Error(`addon.d.ts declares no type ${name}`);
  const members = ts.isUnionTypeNode(alias.type) ? alias.type.types : [alias.type];
  return members.map((m) => {
    if (ts.isLiteralTypeNode(m) && ts.isStringLiteral(m.literal)) return m.literal.text;
    throw new Error(`${name} has a member that is not a string literal: ${m.getText(source)}`);
  });
}

/** The property names of `export interface <name>`, in order. */
function keysOf(name: string): string[] {
  const decl = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name);
  if (!decl) throw new Error(`addon.d.ts declares no interface ${name}`);
  return decl.members.map((m) => m.name!.getText(source));
}

it('GpuThrottleReason is the catalog\'s GPU_THROTTLE_REASONS', () => {
  expect(unionOf('GpuThrottleReason')).toEqual([...GPU_THROTTLE_REASONS]);
});

it('GpuSource is the catalog\'s GPU_SOURCES', () => {
  expect(unionOf('GpuSource')).toEqual([...GPU_SOURCES]);
});

it('GpuField is the catalog\'s GPU_FIELDS (the field label of gpu_field_supported and gpu_sampler_errors_total)', () => {
  expect(unionOf('GpuField')).toEqual([...GPU_FIELDS]);
});

it('GpuMemoryBytes and GpuClocksHz have the catalog\'s memory types and clocks', () => {
  expect(keysOf('GpuMemoryBytes')).toEqual([...GPU_MEMORY_TYPES]);
  expect(keysOf('GpuClocksHz')).toEqual([...GPU_CLOCKS]);
});

// The same, for the type checker (npm run check-types): a divergence fails to compile.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameTypes: [
  Same<GpuThrottleReason, (typeof GPU_THROTTLE_REASONS)[number]>,
  Same<GpuSource, (typeof GPU_SOURCES)[number]>,
  Same<GpuField, (typeof GPU_FIELDS)[number]>,
  Same<keyof GpuMemoryBytes, (typeof GPU_MEMORY_TYPES)[number]>,
  Same<keyof GpuClocksHz, (typeof GPU_CLOCKS)[number]>,
] = [true, true, true, true, true];
void sameTypes;
