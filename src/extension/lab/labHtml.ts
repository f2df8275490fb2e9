/**
 * @file The embedding lab's pages, built whole on the extension side: the pairs found, the table of
 * every pooling × layer and the rankers, the plot, what the numbers mean, and the buttons. The document is
 * the shared htmlDocument (nothing by default, the one script by nonce, styles and images from the webview's
 * origin); every workspace string is escaped. Pure (no `vscode` import), so the webview tests serve exactly this page.
 */
import type { LabAdaptResult, LabEvaluateResult, LabRankingMetrics } from '../../shared/protocol';
import { escapeAttribute, escapeHtml, htmlDocument } from '../../shared/htmlDocument';
import { bestHybridWeight, bestSetting, describeSettings, isLayerRow, isMethodRow, POOLINGS } from './bestSetting';
import { plotSvg } from './labPlot';

export interface LabPageShell {
  /** `webview.cspSource`. */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
}

export const HONEST_NOTE =
  'Self-supervised pairs approximate real queries: a heading stands in for a search, its section for the answer. ' +
  'With random-weight models the numbers measure the pipeline, not T5’s quality.';

const METHOD_NOTES: Readonly<Record<string, string>> = Object.freeze({
  keyword: 'BM25 alone',
  semantic: 'the model’s own pipeline, as search uses it',
  rrf: 'reciprocal-rank fusion (search’s former hybrid)',
  hybrid: 'search’s fusion of normalised scores at the default weight',
  fused: 'the same fusion, weight chosen on the validation pairs (applied with the best setting)',
});

const num = (n: number) => (Number.isFinite(n) ? n.toFixed(3) : '—');
const cells = (m: LabRankingMetrics) => `<td class="num">${num(m.recallAt1)}</td><td class="num">${num(m.recallAt10)}</td><td class="num">${num(m.mrr)}</td>`;

function page(shell: LabPageShell, title: string, body: string): string {
  // No font-src: the lab shows no codicons.
  return htmlDocument({ title, cspSource: shell.cspSource, styleUris: [shell.styleUri], scripts: { nonce: shell.nonce, uris: [shell.scriptUri] }, body: `<main id="lab">\n${body}\n</main>` });
}

function pairsSection(pairs: LabEvaluateResult['pairs']): string {
  const sources = Object.entries(pairs.sources)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `<li><span class="source">${escapeHtml(k)}</span> ${Number(n)}</li>`)
    .join('');
  return `<section id="pairs"><h2>Pairs found</h2>
<p><span id="pairs-train">${Number(pairs.train)}</span> train, <span id="pairs-validation">${Number(pairs.validation)}</span> validation, <span id="pairs-test">${Number(pairs.test)}</span> test (split by file, so a file’s pairs never straddle train and test).</p>
<ul class="sources">${sources || '<li>none</li>'}</ul></section>`;
}

export function evaluationHtml(shell: LabPageShell, folderName: string, result: LabEvaluateResult): string {
  const best = bestSetting(result);
  const layerRows = result.results.filter(isLayerRow).sort((a, b) => POOLINGS.indexOf(a.pooling) - POOLINGS.indexOf(b.pooling) || a.layer - b.layer);
  const methodRows = result.results.filter(isMethodRow);
  const rowHtml = layerRows
    .map((r) => {
      const mark = best && r === best.best ? ' best' : '';
      const name = `${escapeHtml(r.pooling)} @ layer ${Number(r.layer)}${r.layer === best?.finalLayer ? ' (output)' : ''}`;
      return `<tr class="layer-row${mark}" data-pooling="${escapeAttribute(r.pooling)}" data-layer="${Number(r.layer)}"><th scope="row">${name}</th>${cells(r)}</tr>`;
    })
    .join('\n');
  const methodHtml = methodRows
    .map((r) => {
      const weight = r.weight !== undefined ? ` (weight ${num(r.weight)})` : '';
      return `<tr class="method-row" data-method="${escapeAttribute(r.method)}"><th scope="row">${escapeHtml(r.method)}${weight}<span class="note">${escapeHtml(METHOD_NOTES[r.method] ?? '')}</span></th>${cells(r)}</tr>`;
    })
    .join('\n');

  const weight = bestHybridWeight(result);
  const weightNote =
    weight === undefined
      ? ''
      : ` It also stores the hybrid search weight chosen on the validation pairs, <strong id="apply-weight">${num(weight)}</strong> for meaning (keywords ${num(1 - weight)}), for this workspace only, in the extension’s storage (not in the repository).`;
  let apply = '<p id="apply-note">No pooling × layer rows came back, so there is nothing to apply.</p>';
  if (best) {
    const b = best.best;
    apply = `<p id="apply-note">Best setting: <strong>${escapeHtml(b.pooling)} pooling at layer ${Number(b.layer)}</strong>${b.layer === best.finalLayer ? ' (the output)' : ''}, MRR ${num(b.mrr)}. Stored vectors are kept per pooling and layer, so switching back costs nothing.${weightNote}</p>
<button id="apply" type="button" data-pooling="${escapeAttribute(b.pooling)}" data-layer="${Number(b.layer)}">Apply best setting (${escapeHtml(describeSettings(best.settings))})</button>`;
  }

  const body = `<h1>Embedding settings on ${escapeHtml(folderName)}</h1>
<p class="meta">Model <code id="model">${escapeHtml(result.model)}</code>, ${Number(result.numLayers)} encoder layers. Metrics on the test pairs: each test query ranked against every test passage.</p>
<p class="honest" id="honest">${escapeHtml(HONEST_NOTE)}</p>
${pairsSection(result.pairs)}
<section id="plot-section"><h2>MRR by layer</h2>${plotSvg(result.results, 'mrr')}</section>
<section id="apply-section"><h2>Apply</h2>${apply}</section>
<section><h2>Every setting</h2>
<table id="results"><thead><tr><th scope="col">setting</th><th scope="col">recall@1</th><th scope="col">recall@10</th><th scope="col">MRR</th></tr></thead>
<tbody>
${rowHtml}
${methodHtml}
</tbody></table></section>`;
  return page(shell, 'Embedding Lab', body);
}

export function adaptHtml(shell: LabPageShell, folderName: string, result: LabAdaptResult): string {
  const outcome = result.applied
    ? `<p id="outcome">The adapted model beat the base model on the test pairs and was written to <code id="out">${escapeHtml(result.out)}</code>. Using it re-embeds the index once (vectors are kept per model, so the base model’s stay cached).</p>
<button id="use-model" type="button" data-folder="${escapeAttribute(result.out)}">Use the adapted model (t5Semantic.model in user settings)</button>`
    : `<p id="outcome">The adapted model did not beat the base model on the test pairs (MRR ${num(result.after.mrr)} vs ${num(result.before.mrr)}), so nothing was written.</p>`;
  const body = `<h1>Adapting the model to ${escapeHtml(folderName)}</h1>
<p class="meta">Base model <code id="model">${escapeHtml(result.model)}</code>; a low-rank residual head on the frozen encoder’s sentence embeddings, trained with the ${escapeHtml(result.loss)} loss and early stopping on the validation pairs. The head is applied to queries and passages alike, so the written folder is one model wherever it is loaded.</p>
<p class="honest">${escapeHtml(HONEST_NOTE)}</p>
<table id="before-after"><thead><tr><th scope="col">test pairs</th><th scope="col">recall@1</th><th scope="col">recall@10</th><th scope="col">MRR</th></tr></thead>
<tbody><tr data-row="before"><th scope="row">before</th>${cells(result.before)}</tr><tr data-row="after"><th scope="row">after</th>${cells(result.after)}</tr></tbody></table>
${outcome}`;
  return page(shell, 'Embedding Lab: Adapt', body);
}
