/**
 * The silhouette as a grid of square cells, the resolution set by the vertex budget. Cells
 * that touch only at a corner are joined, so that the surface built on the grid is a
 * 2-manifold: every contour vertex then has exactly two contour edges.
 */

export interface CellGrid {
  /** Cells per row and per column. */
  cols: number;
  rows: number;
  /** Cell side in pixels; fractional, so the vertex count can follow the budget closely. */
  cellSize: number;
  /** 1 where the cell is inside the silhouette. */
  inside: Uint8Array;
}

/** Pixel position of the i-th cell boundary (cells cover whole pixels). */
export const cellEdge = (g: { cellSize: number }, i: number, limit: number): number => Math.min(limit, Math.round(i * g.cellSize));

export function rasterizeCells(mask: Uint8Array, width: number, height: number, cellSize: number): CellGrid {
  // Enough cells to reach the far edge, and no cell squeezed to zero width by rounding.
  const count = (limit: number): number => {
    let n = Math.ceil(limit / cellSize);
    while (n > 1 && Math.round((n - 1) * cellSize) >= limit) n--;
    return n;
  };
  const cols = count(width);
  const rows = count(height);
  // Summed-area table: the coverage of any cell in constant time.
  const sat = new Uint32Array((width + 1) * (height + 1));
  for (let y = 0; y < height; y++) {
    let row = 0;
    for (let x = 0; x < width; x++) {
      row += mask[y * width + x] ? 1 : 0;
      sat[(y + 1) * (width + 1) + x + 1] = sat[y * (width + 1) + x + 1]! + row;
    }
  }
  const inside = new Uint8Array(cols * rows);
  for (let j = 0; j < rows; j++) {
    for (let i = 0; i < cols; i++) {
      const x0 = cellEdge({ cellSize }, i, width);
      const y0 = cellEdge({ cellSize }, j, height);
      const x1 = cellEdge({ cellSize }, i + 1, width);
      const y1 = cellEdge({ cellSize }, j + 1, height);
      const covered = sat[y1 * (width + 1) + x1]! - sat[y0 * (width + 1) + x1]! - sat[y1 * (width + 1) + x0]! + sat[y0 * (width + 1) + x0]!;
      if (covered * 2 >= (x1 - x0) * (y1 - y0)) inside[j * cols + i] = 1;
    }
  }
  const grid = { cols, rows, cellSize, inside };
  joinDiagonalTouches(grid);
  return grid;
}

export const cellAt = (g: CellGrid, i: number, j: number): boolean => i >= 0 && j >= 0 && i < g.cols && j < g.rows && g.inside[j * g.cols + i] === 1;

/** Where two inside cells meet only at a corner, the cell between them is filled in. */
function joinDiagonalTouches(g: CellGrid): void {
  let changed = true;
  while (changed) {
    changed = false;
    for (let j = 1; j < g.rows; j++) {
      for (let i = 1; i < g.cols; i++) {
        const a = cellAt(g, i - 1, j - 1);
        const b = cellAt(g, i, j - 1);
        const c = cellAt(g, i - 1, j);
        const d = cellAt(g, i, j);
        if (a && d && !b && !c) {
          g.inside[(j - 1) * g.cols + i] = 1;
          changed = true;
        } else if (b && c && !a && !d) {
          g.inside[(j - 1) * g.cols + i - 1] = 1;
          changed = true;
        }
      }
    }
  }
}

export function countCells(g: CellGrid): number {
  let n = 0;
  for (let k = 0; k < g.inside.length; k++) n += g.inside[k]!;
  return n;
}
