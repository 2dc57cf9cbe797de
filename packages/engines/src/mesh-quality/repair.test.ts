/** Mesh validation and repair on cubes broken on purpose: each breakage found, repaired and counted. */
import { describe, expect, it } from 'vitest';
import { breakMesh, cube } from '../../test/meshes.js';
import { repairMesh } from './repair.js';
import { validateMesh } from './validate.js';

describe('validateMesh', () => {
  it('passes a closed outward cube', () => {
    const v = validateMesh(cube(3));
    expect(v).toMatchObject({ manifold: true, watertight: true, consistentOrientation: true, printable: true, boundaryEdges: 0 });
    expect(v.signedVolume).toBeCloseTo(1, 5);
    expect(v.issues).toEqual([]);
  });

  it('finds each kind of breakage', () => {
    const v = validateMesh(breakMesh(cube(3), { holes: [0], flipped: [20], duplicated: [30, 31], degenerate: 2 }));
    expect(v.boundaryEdges).toBe(3);
    expect(v.duplicateFaces).toBe(2);
    expect(v.degenerateFaces).toBe(2);
    expect(v.inconsistentEdges).toBeGreaterThan(0);
    expect(v.nonManifoldEdges).toBeGreaterThan(0); // the duplicates put a third face on their edges
    expect(v.printable).toBe(false);
    expect(v.issues.map((i) => i.issueType).sort()).toEqual(
      ['boundary_edges', 'degenerate_faces', 'duplicate_faces', 'inconsistent_orientation', 'non_manifold_edges'].sort(),
    );
  });

  it('flags a mesh wound inside out', () => {
    const c = cube(2);
    const flipped = breakMesh(c, { flipped: Array.from({ length: c.indices.length / 3 }, (_, f) => f) });
    const v = validateMesh(flipped);
    expect(v.consistentOrientation).toBe(true);
    expect(v.signedVolume).toBeLessThan(0);
    expect(v.printable).toBe(false);
    expect(v.issues.map((i) => i.issueType)).toEqual(['inverted_normals']);
  });
});

describe('repairMesh', () => {
  it('repairs holes, flipped, duplicate and degenerate faces and counts each repair', () => {
    const broken = breakMesh(cube(3), { holes: [0, 40], flipped: [20, 70], duplicated: [30, 31, 32], degenerate: 4 });
    const r = repairMesh(broken);
    const v = validateMesh(r);
    expect(v).toMatchObject({ manifold: true, watertight: true, consistentOrientation: true, printable: true });
    expect(v.signedVolume).toBeCloseTo(1, 5);
    expect(r.repairs).toMatchObject({ remove_degenerate_faces: 4, remove_duplicate_faces: 3, fix_orientation: 2, fill_holes: 2 });
  });

  it('fills a hole larger than a triangle with a fan and carries the rim as the new vertex origin', () => {
    // Removing two faces of one quad opens a four-edge hole.
    const broken = breakMesh(cube(2), { holes: [0, 1] });
    const r = repairMesh(broken);
    expect(validateMesh(r).watertight).toBe(true);
    expect(r.repairs.fill_holes).toBe(1);
    expect(r.origins.some((o) => o.length === 4)).toBe(true);
  });

  it('welds a seam so the surface closes again', () => {
    const broken = breakMesh(cube(2), { unweld: true });
    expect(validateMesh(broken).watertight).toBe(false);
    const r = repairMesh(broken);
    expect(r.repairs.weld_vertices).toBe(3);
    expect(validateMesh(r).printable).toBe(true);
  });

  it('turns an inside-out mesh outwards', () => {
    const c = cube(2);
    const faces = c.indices.length / 3;
    const r = repairMesh(breakMesh(c, { flipped: Array.from({ length: faces }, (_, f) => f) }));
    expect(r.repairs.fix_orientation).toBe(faces);
    expect(validateMesh(r).signedVolume).toBeGreaterThan(0);
  });

  it('leaves a clean mesh alone', () => {
    const c = cube(2);
    const r = repairMesh(c);
    expect(r.repairs).toEqual({});
    expect(Array.from(r.indices)).toEqual(Array.from(c.indices));
  });
});
