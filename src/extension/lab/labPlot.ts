/**
 * @file The lab's plot as inline SVG: a metric by layer, one line per pooling, with the keyword and
 * hybrid rankings as dashed reference lines. Colours come from classes that lab.css maps to the theme's
 * chart colours (no inline styles: the page's CSP forbids them). Pure string building.
 */
import type { LabLayerRow, LabMethodRow, LabRankingMetrics } from '../../shared/protocol';
import { POOLINGS, isLayerRow, isMethodRow } from './bestSetting';

export type PlotMetric = keyof LabRankingMetrics;

export const METRIC_LABELS: Readonly<Record<PlotMetric, string>> = Object.freeze({ recallAt1: 'recall@1', recallAt10: 'recall@10', mrr: 'MRR' });

const W = 560;
const H = 300;
const PAD = { left: 48, right: 120, top: 16, bottom: 40 };

const fmt = (n: number) => (Math.round(n * 10) / 10).toString();

export function plotSvg(results: readonly (LabLayerRow | LabMethodRow)[], metric: PlotMetric): string {
  const rows = results.filter(isLayerRow);
  const layers = [...new Set(rows.map((r) => r.layer))].sort((a, b) => a - b);
  const refs = results.filter(isMethodRow).filter((r) => r.method === 'keyword' || r.method === 'hybrid');
  const values = [...rows.map((r) => r[metric]), ...refs.map((r) => r[metric])];
  const top = Math.min(1, Math.max(0.1, Math.ceil(Math.max(0, ...values) * 10) / 10));
  const minLayer = layers[0] ?? 0;
  const span = Math.max(1, (layers[layers.length - 1] ?? 0) - minLayer);
  const x = (layer: number) => PAD.left + ((layer - minLayer) / span) * (W - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + (1 - v / top) * (H - PAD.top - PAD.bottom);
  const label = METRIC_LABELS[metric];

  const parts: string[] = [];
  for (let i = 0; i <= 5; i++) {
    const v = (top * i) / 5;
    parts.push(`<line class="grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${fmt(y(v))}" y2="${fmt(y(v))}"/>`);
    parts.push(`<text class="tick" x="${PAD.left - 6}" y="${fmt(y(v) + 4)}" text-anchor="end">${v.toFixed(2)}</text>`);
  }
  for (const l of layers) parts.push(`<text class="tick" x="${fmt(x(l))}" y="${H - PAD.bottom + 16}" text-anchor="middle">${l}</text>`);
  parts.push(`<text class="axis" x="${fmt((PAD.left + W - PAD.right) / 2)}" y="${H - 6}" text-anchor="middle">layer (0 = token embeddings)</text>`);
  parts.push(`<text class="axis" x="12" y="${fmt((PAD.top + H - PAD.bottom) / 2)}" text-anchor="middle" transform="rotate(-90 12 ${fmt((PAD.top + H - PAD.bottom) / 2)})">${label}</text>`);

  let legendY = PAD.top + 8;
  const legend = (cls: string, name: string, dashed: boolean) => {
    const lx = W - PAD.right + 12;
    parts.push(`<line class="series ${cls}${dashed ? ' ref' : ''}" x1="${lx}" x2="${lx + 20}" y1="${legendY}" y2="${legendY}"/>`);
    parts.push(`<text class="legend" x="${lx + 26}" y="${legendY + 4}">${name}</text>`);
    legendY += 18;
  };
  for (const pooling of POOLINGS) {
    const line = rows.filter((r) => r.pooling === pooling).sort((a, b) => a.layer - b.layer);
    if (!line.length) continue;
    const points = line.map((r) => `${fmt(x(r.layer))},${fmt(y(r[metric]))}`).join(' ');
    parts.push(`<polyline class="series pooling-${pooling}" data-pooling="${pooling}" points="${points}"/>`);
    for (const r of line) parts.push(`<circle class="dot pooling-${pooling}" cx="${fmt(x(r.layer))}" cy="${fmt(y(r[metric]))}" r="3"><title>${pooling} @ layer ${r.layer}: ${label} ${r[metric].toFixed(3)}</title></circle>`);
    legend(`pooling-${pooling}`, pooling, false);
  }
  for (const r of refs) {
    parts.push(`<line class="series method-${r.method} ref" data-method="${r.method}" x1="${PAD.left}" x2="${W - PAD.right}" y1="${fmt(y(r[metric]))}" y2="${fmt(y(r[metric]))}"><title>${r.method}: ${label} ${r[metric].toFixed(3)}</title></line>`);
    legend(`method-${r.method}`, r.method, true);
  }
  return `<svg class="plot" role="img" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" aria-label="${label} by layer, one line per pooling">${parts.join('')}</svg>`;
}
