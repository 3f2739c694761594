// The model's arithmetic in the page: the decoder, the nearest training glyph and the circle
// fit. The same definitions as ae/mlp.py, ae/losses.py and ae/circles.py; pure functions.
LX.model = (() => {
  "use strict";

  // float32 little-endian bytes in base64 (ae/explorer.py _floats) -> Float32Array
  function floats(b64) {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const view = new DataView(bytes.buffer);
    const out = new Float32Array(bytes.length / 4);
    for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
    return out;
  }

  // ae/mlp.py ACTIVATIONS; null: none (the output layer's pre-activations)
  const ACTIVATIONS = {
    tanh: Math.tanh,
    sigmoid: (h) => 1 / (1 + Math.exp(-h)),
    relu: (h) => (h > 0 ? h : 0),
    identity: (h) => h,
  };
  // ae/losses.py reconstruct: how the last layer's outputs become what is shown
  const OUTPUTS = { sigmoid: ACTIVATIONS.sigmoid, tanh: Math.tanh, linear: (h) => h };

  // A seed's decoder from the page data: layers with Float32Array weights (in, out).
  function decoder(seed) {
    return {
      layers: seed.layers.map((l) => ({
        w: floats(l.w), b: floats(l.b), nIn: l.n_in, nOut: l.n_out,
        act: l.act === null ? null : ACTIVATIONS[l.act],
      })),
      output: OUTPUTS[seed.output],
    };
  }

  // z (a latent point) -> the decoded output (Float64Array): x @ w + b, layer by layer
  function decode(dec, z) {
    let h = Float64Array.from(z);
    for (const l of dec.layers) {
      const out = new Float64Array(l.nOut);
      for (let j = 0; j < l.nOut; j++) out[j] = l.b[j];
      for (let i = 0; i < l.nIn; i++) {
        const hi = h[i];
        if (hi === 0) continue;
        const row = i * l.nOut;
        for (let j = 0; j < l.nOut; j++) out[j] += hi * l.w[row + j];
      }
      if (l.act) for (let j = 0; j < l.nOut; j++) out[j] = l.act(out[j]);
      h = out;
    }
    for (let j = 0; j < h.length; j++) h[j] = dec.output(h[j]);
    return h;
  }

  // ae/losses.py nearest: the training glyph (bits, n x d, '0'/'1' string) nearest by
  // Hamming distance after thresholding at 0.5, the first on ties.
  function nearest(bits, n, d, out) {
    let best = 0;
    let bestDist = Infinity;
    for (let k = 0; k < n; k++) {
      let dist = 0;
      const at = k * d;
      for (let j = 0; j < d && dist < bestDist; j++) {
        if ((out[j] > 0.5) !== (bits.charCodeAt(at + j) === 49)) dist++;
      }
      if (dist < bestDist) { best = k; bestDist = dist; }
    }
    return { index: best, hamming: bestDist };
  }

  // The training shape (n x d floats) nearest in root-mean-square distance (circles).
  function nearestShape(x, n, d, out) {
    let best = 0;
    let bestSq = Infinity;
    for (let k = 0; k < n; k++) {
      let sq = 0;
      for (let j = 0; j < d; j++) { const e = out[j] - x[k * d + j]; sq += e * e; }
      if (sq < bestSq) { best = k; bestSq = sq; }
    }
    return { index: best, rmse: Math.sqrt(bestSq / d) };
  }

  // ae/circles.py quality: the Kasa least-squares circle through the points (x, y
  // interleaved); radius is the mean distance to its centre, circularity their std / mean.
  function circleQuality(flat) {
    const m = flat.length / 2;
    const A = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
    const r = [0, 0, 0];
    for (let i = 0; i < m; i++) {
      const row = [flat[2 * i], flat[2 * i + 1], 1];
      const b = -(row[0] * row[0] + row[1] * row[1]);
      for (let a = 0; a < 3; a++) {
        r[a] += row[a] * b;
        for (let c = 0; c < 3; c++) A[a][c] += row[a] * row[c];
      }
    }
    for (let a = 0; a < 3; a++) A[a][a] += 1e-12;
    const [D, E] = solve3(A, r);
    const cx = -D / 2;
    const cy = -E / 2;
    let mean = 0;
    const dist = [];
    for (let i = 0; i < m; i++) {
      dist.push(Math.hypot(flat[2 * i] - cx, flat[2 * i + 1] - cy));
      mean += dist[i] / m;
    }
    let variance = 0;
    for (const v of dist) variance += (v - mean) * (v - mean) / m;
    return { radius: mean, circularity: mean > 1e-9 ? Math.sqrt(variance) / mean : Infinity,
             centre: [cx, cy] };
  }

  // A 3x3 linear system by Gaussian elimination with partial pivoting.
  function solve3(A, b) {
    const M = A.map((row, i) => [...row, b[i]]);
    for (let c = 0; c < 3; c++) {
      let p = c;
      for (let r = c + 1; r < 3; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
      [M[c], M[p]] = [M[p], M[c]];
      for (let r = c + 1; r < 3; r++) {
        const f = M[r][c] / M[c][c];
        for (let k = c; k < 4; k++) M[r][k] -= f * M[c][k];
      }
    }
    const x = [0, 0, 0];
    for (let r = 2; r >= 0; r--) {
      let s = M[r][3];
      for (let k = r + 1; k < 3; k++) s -= M[r][k] * x[k];
      x[r] = s / M[r][r];
    }
    return x;
  }

  return { floats, decoder, decode, nearest, nearestShape, circleQuality };
})();
