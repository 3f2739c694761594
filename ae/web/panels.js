// The panels beside the plane: the output decoded at the probe (or the last pin), the nearest
// training sample, and the strip of decodes between two pins (redrawn only when they change).
LX.panels = (() => {
  "use strict";
  const D = LX.data;
  const S = LX.state;
  const V = LX.view;
  const Draw = LX.draw;
  const $ = (id) => document.getElementById(id);
  let stripKey = null;
  let shown = null;   // what the decoded panel shows now (the export buttons and the test hook)

  function describe(out) {
    if (D.glyphs) return { near: LX.model.nearest(D.x, D.n, D.d, out) };
    return { near: LX.model.nearestShape(D.x, D.n, D.d, out), quality: LX.model.circleQuality(out) };
  }
  const sample = (k) => (D.glyphs ? Array.from({ length: D.d }, (_, j) => (D.x[k * D.d + j] === "1" ? 1 : 0))
                                  : D.x.subarray(k * D.d, (k + 1) * D.d));
  // A label as the page names it in words: quoted, or by name where it is blank.
  const named = (s) => (s.trim() === "" ? `"${s}" (blank)` : `"${s}"`);

  // One sentence for the decoded output: the panel's text and what the page announces.
  function sentence(info, q) {
    if (!D.glyphs) {
      return `fitted radius ${q.radius.toFixed(3)}, circularity ${(100 * q.circularity).toFixed(2)}%`;
    }
    const near = named(D.labels[info.near.index]);
    return info.near.hamming === 0 ? `a copy of ${near} (0 px)`
      : `new: ${info.near.hamming} px from ${near}`;
  }

  function draw() {
    const z = V.current();
    const out = V.decodeAt(S.seed, z);
    const info = describe(out);
    const label = D.labels[info.near.index];
    const own = V.toSeed(S.seed, z);
    shown = { z: [...z], own, seed: D.seeds[S.seed].seed, raw: out,
              output: Array.from(out, (v) => (D.glyphs && S.threshold ? +(v > 0.5) : v)),
              nearest: info.near.index, label, hamming: D.glyphs ? info.near.hamming : null,
              text: sentence(info, info.quality) };
    const o = Draw.fit($("out"));
    const n = Draw.fit($("near"));
    $("out-title").textContent = `decoded at (${V.fmt(z[0])}, ${V.fmt(z[1])})` + (S.aligned
      ? `, seed ${shown.seed}'s own (${V.fmt(own[0])}, ${V.fmt(own[1])})` : "");
    $("out-text").textContent = shown.text;
    if (D.glyphs) {
      Draw.glyph(o.ctx, out, D.shape, 0, 0, o.w, o.h, S.threshold);
      const ref = sample(info.near.index);
      const marks = ref.map((v, j) => (v > 0.5) !== (out[j] > 0.5));
      Draw.glyph(n.ctx, ref, D.shape, 0, 0, n.w, n.h, true, marks);
      $("near-title").textContent = "nearest training glyph";
      const h = info.near.hamming;
      $("near-text").textContent = `${named(label)}: ` + (h === 0 ? "the same pixels"
        : `${h} px differ (outlined in red)`);
    } else {
      const q = info.quality;
      const f = Draw.shape(o.ctx, out, 0, 0, o.w, o.h, D.lim, Draw.MARK, 2);
      o.ctx.setLineDash([4, 3]);
      o.ctx.strokeStyle = "#555";
      o.ctx.beginPath();
      o.ctx.arc(f.px(q.centre[0]), f.py(q.centre[1]), q.radius * f.scale, 0, 2 * Math.PI);
      o.ctx.stroke();
      o.ctx.setLineDash([]);
      Draw.shape(n.ctx, sample(info.near.index), 0, 0, n.w, n.h, D.lim, "#888", 2);
      Draw.shape(n.ctx, out, 0, 0, n.w, n.h, D.lim, Draw.MARK, 1);
      $("near-title").textContent = "nearest training circle (grey)";
      $("near-text").textContent = `radius ${label}, RMSE ${info.near.rmse.toFixed(4)}`;
    }
    drawStrip();
  }

  function pinName(pin) {
    if (pin.code !== undefined) return named(D.labels[pin.code]);
    return `(${V.fmt(pin.z[0])}, ${V.fmt(pin.z[1])})`;
  }

  function drawStrip() {
    const key = JSON.stringify([S.seed, S.pins, S.threshold, D.glyphs || 0, S.aligned]);
    if (key === stripKey) return;
    stripKey = key;
    const strip = $("strip");
    strip.textContent = "";
    if (S.pins.length < 2) {
      $("strip-title").textContent = `pin two points (or codes) for ${V.STRIP} decodes between them`;
      return;
    }
    const [a, b] = S.pins.map(V.pinZ);
    $("strip-title").textContent = `${pinName(S.pins[0])} → ${pinName(S.pins[1])}: ${V.STRIP} `
      + (D.glyphs ? "decodes, each captioned with its nearest training glyph and the pixels "
         + "that differ from it" : "decodes, each captioned with its fitted radius");
    for (let t = 0; t < V.STRIP; t++) {
      const f = t / (V.STRIP - 1);
      const out = V.decodeAt(S.seed, [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])]);
      const fig = document.createElement("figure");
      const c = document.createElement("canvas");
      const cap = document.createElement("figcaption");
      fig.append(c, cap);
      strip.append(fig);
      const { ctx, w, h } = Draw.fit(c);
      if (D.glyphs) {
        Draw.glyph(ctx, out, D.shape, 0, 0, w, h, S.threshold);
        const near = LX.model.nearest(D.x, D.n, D.d, out);
        cap.textContent = `"${D.labels[near.index]}" ${near.hamming} px`;
      } else {
        Draw.shape(ctx, out, 0, 0, w, h, D.lim, Draw.MARK, 1.5);
        cap.textContent = `radius ${LX.model.circleQuality(out).radius.toFixed(2)}`;
      }
    }
  }

  return { draw, shown: () => shown, strips: () => $("strip").querySelectorAll("canvas").length };
})();
