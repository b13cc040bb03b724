/**
 * The dashboard app's icons, drawn from one description: three stacked stones (a cairn) on the
 * accent colour. An SVG for browsers and "any" purpose, PNGs at 192 and 512 px, and a maskable
 * PNG whose stones sit inside the safe zone (the central circle of 80 %) that launchers crop to.
 */
import { encodePng } from './png.ts';

const ACCENT = [0x2f, 0x6f, 0xdf] as const;
const STONE = [0xff, 0xff, 0xff] as const;

/** Stones in a unit square: centre, radii, rotation in degrees. */
const STONES = [
  { cx: 0.5, cy: 0.68, rx: 0.28, ry: 0.1, deg: 0 },
  { cx: 0.49, cy: 0.495, rx: 0.2, ry: 0.083, deg: -5 },
  { cx: 0.51, cy: 0.34, rx: 0.13, ry: 0.072, deg: 6 },
];
const CORNER = 0.22;

export function iconSvg(): string {
  const stones = STONES.map(
    (s) => `<ellipse cx="${s.cx * 512}" cy="${s.cy * 512}" rx="${s.rx * 512}" ry="${s.ry * 512}" transform="rotate(${s.deg} ${s.cx * 512} ${s.cy * 512})"/>`,
  ).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512"><rect width="512" height="512" rx="${CORNER * 512}" fill="#2f6fdf"/><g fill="#fff">${stones}</g></svg>\n`;
}

const inStone = (x: number, y: number) =>
  STONES.some((s) => {
    const a = (s.deg * Math.PI) / 180;
    const dx = x - s.cx;
    const dy = y - s.cy;
    const u = dx * Math.cos(a) + dy * Math.sin(a);
    const v = -dx * Math.sin(a) + dy * Math.cos(a);
    return (u / s.rx) ** 2 + (v / s.ry) ** 2 <= 1;
  });

function inRoundedSquare(x: number, y: number): boolean {
  const qx = Math.max(CORNER - x, x - (1 - CORNER), 0);
  const qy = Math.max(CORNER - y, y - (1 - CORNER), 0);
  return qx * qx + qy * qy <= CORNER * CORNER;
}

/** A PNG icon of `size` px; maskable: a full square, the stones scaled into the safe zone. */
export function iconPng(size: number, maskable = false): Buffer {
  const n = 4; // samples per axis, for smooth edges
  const scale = maskable ? 0.78 : 1;
  const px = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const ux = (x + (sx + 0.5) / n) / size;
          const uy = (y + (sy + 0.5) / n) / size;
          if (!maskable && !inRoundedSquare(ux, uy)) continue;
          const c = inStone(0.5 + (ux - 0.5) / scale, 0.5 + (uy - 0.5) / scale) ? STONE : ACCENT;
          r += c[0];
          g += c[1];
          b += c[2];
          a++;
        }
      }
      const i = (y * size + x) * 4;
      if (a > 0) px.set([Math.round(r / a), Math.round(g / a), Math.round(b / a), Math.round((a / (n * n)) * 255)], i);
    }
  }
  return encodePng(size, size, px);
}
