import type { ZooMeta, ZooRow } from './zoo-report.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/**
 * A self-contained SVG: horizontal bars of latency per config (training structure and deployed), with
 * GFLOPs and parameters as labels. No chart library: the SVG is a few rectangles and texts.
 */
export function zooChartSvg(rows: ZooRow[], meta: Omit<ZooMeta, 'runs'>): string {
  const rowH = 34;
  const left = 300;
  const width = 980;
  const top = 50;
  const height = top + rows.length * rowH + 40;
  const max = Math.max(1, ...rows.flatMap((r) => [r.latencyMs, r.deployLatencyMs]));
  const scale = (width - left - 130) / max;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="100%" height="100%" fill="white"/>`);
  parts.push(`<text x="10" y="20" font-size="15" font-weight="bold">plugconv zoo: forward latency at ${meta.imgsz}x${meta.imgsz}, scale ${esc(meta.scale)}, ${esc(meta.backend)}</text>`);
  parts.push(`<rect x="${left}" y="28" width="12" height="10" fill="#4878d0"/><text x="${left + 16}" y="37">training structure (eval)</text>`);
  parts.push(`<rect x="${left + 180}" y="28" width="12" height="10" fill="#ee854a"/><text x="${left + 196}" y="37">deployed</text>`);
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    parts.push(`<text x="10" y="${y + 14}">${esc(r.config)}</text>`);
    parts.push(`<text x="10" y="${y + 27}" fill="#555">${(r.params / 1e6).toFixed(2)}M params, ${r.gflops.toFixed(1)} GFLOPs, peak ${r.peakMiB.toFixed(0)} MiB</text>`);
    parts.push(`<rect x="${left}" y="${y + 4}" width="${(r.latencyMs * scale).toFixed(1)}" height="12" fill="#4878d0"/>`);
    parts.push(`<text x="${left + r.latencyMs * scale + 4}" y="${y + 14}">${r.latencyMs.toFixed(0)} ms</text>`);
    parts.push(`<rect x="${left}" y="${y + 18}" width="${(r.deployLatencyMs * scale).toFixed(1)}" height="12" fill="#ee854a"/>`);
    parts.push(`<text x="${left + r.deployLatencyMs * scale + 4}" y="${y + 28}">${r.deployLatencyMs.toFixed(0)} ms</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
