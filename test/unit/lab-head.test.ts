/** The adaptation head: hand-written gradients against central finite differences, and its matrix form. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyHead, contrastiveLoss, headMatrix, initHead, tripletLoss, type Head } from '../../src/server/lab/head';
import { seededRandom } from '../../src/shared/seededRandom';

const DIMS = 6;
const RANK = 3;

function randomVectors(n: number, random: () => number): Float64Array[] {
  return Array.from({ length: n }, () => Float64Array.from({ length: DIMS }, () => random() * 2 - 1));
}

/** A head away from the identity, so every term of the gradient is exercised. */
function randomHead(random: () => number): Head {
  const h = initHead(DIMS, RANK, random);
  for (let i = 0; i < h.a.length; i++) h.a[i] = (random() * 2 - 1) * 0.5;
  return h;
}

function checkGradient(name: string, loss: (h: Head) => { loss: number; gradA: Float64Array; gradB: Float64Array }) {
  const h = randomHead(seededRandom(7));
  const analytic = loss(h);
  const eps = 1e-6;
  let worst = 0;
  for (const [param, grad] of [[h.a, analytic.gradA], [h.b, analytic.gradB]] as const) {
    for (let i = 0; i < param.length; i++) {
      const keep = param[i];
      param[i] = keep + eps;
      const up = loss(h).loss;
      param[i] = keep - eps;
      const down = loss(h).loss;
      param[i] = keep;
      const numeric = (up - down) / (2 * eps);
      worst = Math.max(worst, Math.abs(numeric - grad[i]) / Math.max(1e-3, Math.abs(numeric) + Math.abs(grad[i])));
    }
  }
  assert.ok(analytic.loss > 0, `${name}: the check needs a loss that is not zero`);
  assert.ok(worst < 1e-5, `${name}: worst relative gradient error ${worst}`);
}

describe('lab head', () => {
  const random = seededRandom(3);
  const q = randomVectors(5, random);
  const p = randomVectors(5, random);
  const n = randomVectors(5, random);

  it('contrastive (multiple negatives ranking) gradient matches finite differences', () => {
    checkGradient('contrastive', (h) => contrastiveLoss(h, q, p, 1e-3));
  });

  it('triplet gradient matches finite differences', () => {
    // A wide margin keeps every triplet active, so no hinge sits at its kink.
    checkGradient('triplet', (h) => tripletLoss(h, q, p, n, 1e-3, 3));
  });

  it('starts as the identity and its matrix is the map it applies', () => {
    const h = initHead(DIMS, RANK, seededRandom(1));
    assert.deepEqual(Array.from(applyHead(h, q[0])), Array.from(Float32Array.from(q[0])));
    const trained = randomHead(seededRandom(9));
    const w = headMatrix(trained);
    const y = applyHead(trained, q[1]);
    for (let o = 0; o < DIMS; o++) {
      let s = 0;
      for (let i = 0; i < DIMS; i++) s += w[o * DIMS + i] * q[1][i];
      assert.ok(Math.abs(s - y[o]) < 1e-5, `row ${o}: ${s} vs ${y[o]}`);
    }
  });
});
