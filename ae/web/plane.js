// The latent plane (the consensus frame when aligned, state.js): the decoded grid behind, the
// axes in latent units, a VAE's prior circles
// and posterior ellipses, the codes (labels, or dots coloured by class), the pins, the probe.
// Everything but the probe is drawn once per view into a layer that each pointer move reuses.
LX.plane = (() => {
  "use strict";
  const D = LX.data;
  const S = LX.state;
  const V = LX.view;
  const Draw = LX.draw;
  const canvas = document.getElementById("plane");
  let layer = { key: null, canvas: null };

  // A canvas of the plane's size at the screen's density, drawing in CSS pixels.
  function offscreen(w, h) {
    const dpr = window.devicePixelRatio || 1;
    const off = document.createElement("canvas");
    off.width = Math.round(w * dpr);
    off.height = Math.round(h * dpr);
    const ctx = off.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    return { off, ctx };
  }

  function drawGrid(ctx, w, h) {
    const cw = D.glyphs ? 30 * D.shape[1] / Math.max(...D.shape) : 44;
    const ch = D.glyphs ? 30 * D.shape[0] / Math.max(...D.shape) : 44;
    ctx.globalAlpha = 0.55;
    for (let y = 0; y < h; y += ch) {
      for (let x = 0; x < w; x += cw) {
        const out = V.decodeAt(S.seed, V.toLatent(x + cw / 2, y + ch / 2));
        if (D.glyphs) Draw.glyph(ctx, out, D.shape, x + 1, y + 1, cw - 2, ch - 2, S.threshold);
        else Draw.shape(ctx, out, x + 2, y + 2, cw - 4, ch - 4, D.lim, "#888", 1);
      }
    }
    ctx.globalAlpha = 1;
  }

  function drawAxes(ctx, w, h) {
    const [x0, y1] = V.toLatent(0, 0);
    const [x1, y0] = V.toLatent(w, h);
    ctx.font = "11px system-ui, sans-serif";
    ctx.lineWidth = 1;
    const tx = Draw.ticks(x0, x1, Math.max(3, Math.round(w / 90)));
    const ty = Draw.ticks(y0, y1, Math.max(3, Math.round(h / 70)));
    for (const v of tx.values) {
      const [px] = V.toScreen([v, 0]);
      ctx.strokeStyle = v === 0 ? "#bbb" : "#eee";
      ctx.beginPath(); ctx.moveTo(px, 0); ctx.lineTo(px, h); ctx.stroke();
      ctx.fillStyle = Draw.TICK;
      ctx.fillText(v.toFixed(tx.digits), px + 2, h - 4);
    }
    for (const v of ty.values) {
      const [, py] = V.toScreen([0, v]);
      ctx.strokeStyle = v === 0 ? "#bbb" : "#eee";
      ctx.beginPath(); ctx.moveTo(0, py); ctx.lineTo(w, py); ctx.stroke();
      ctx.fillStyle = Draw.TICK;
      ctx.fillText(v.toFixed(ty.digits), 3, py - 3);
    }
    ctx.fillStyle = Draw.INK;
    ctx.font = "12px system-ui, sans-serif";
    const frame = S.aligned ? "consensus " : "";
    ctx.textAlign = "right";
    ctx.fillText(`${frame}z1 →`, w - 6, h - 18);
    ctx.textAlign = "start";
    ctx.fillText(`${frame}z2 ↑`, 40, 14);
  }

  // The seed's prior N(0, I): at its origin, its std the seed's scale into the plane.
  function drawPrior(ctx) {
    const [ox, oy] = V.toScreen(V.toPlane(S.seed, [0, 0]));
    const s = V.scale() * (S.aligned ? D.seeds[S.seed].align.scale : 1);
    ctx.setLineDash([5, 4]);
    ctx.strokeStyle = "#999";
    ctx.fillStyle = Draw.TICK;
    for (const r of [1, 2]) {
      ctx.beginPath(); ctx.arc(ox, oy, r * s, 0, 2 * Math.PI); ctx.stroke();
      ctx.fillText(`${r}σ`, ox + r * s * 0.71 + 3, oy - r * s * 0.71 - 3);
    }
    ctx.setLineDash([]);
  }

  function drawCodes(ctx, w, h) {
    const seed = D.seeds[S.seed];
    const visible = [];
    for (let k = 0; k < D.n; k++) {
      const p = V.toScreen(V.code(S.seed, k));
      if (p[0] >= -20 && p[0] <= w + 20 && p[1] >= -20 && p[1] <= h + 20) visible.push([k, p]);
    }
    if (seed.logvar) {
      // the seed's z1 axis turned into the plane (a reflection leaves an ellipse as it is);
      // the screen's y runs down, so the turn is the other way
      const a = S.aligned ? seed.align : null;
      const s = V.scale() * (a ? a.scale : 1);
      const turn = a ? -Math.atan2(a.rotation[0][1], a.rotation[0][0]) : 0;
      ctx.globalAlpha = 0.13;
      for (const [k, [px, py]] of visible) {
        ctx.fillStyle = D.colours[k];
        ctx.beginPath();
        ctx.ellipse(px, py, Math.exp(0.5 * seed.logvar[2 * k]) * s,
                    Math.exp(0.5 * seed.logvar[2 * k + 1]) * s, turn, 0, 2 * Math.PI);
        ctx.fill();
      }
      ctx.globalAlpha = 1;
    }
    const labels = D.glyphs && (!D.many || visible.length <= 150);
    ctx.font = "bold 13px system-ui, sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    for (const [k, [px, py]] of visible) {
      ctx.fillStyle = D.colours[k];
      if (labels) {
        ctx.strokeStyle = "rgba(255,255,255,0.9)";
        ctx.lineWidth = 3;
        ctx.strokeText(D.labels[k], px, py);
        ctx.fillText(D.labels[k], px, py);
      } else {
        ctx.beginPath(); ctx.arc(px, py, 3, 0, 2 * Math.PI); ctx.fill();
      }
    }
    ctx.textAlign = "start";
    ctx.textBaseline = "alphabetic";
  }

  function drawPins(ctx) {
    const pts = S.pins.map((p) => V.toScreen(V.pinZ(p)));
    ctx.strokeStyle = Draw.MARK;
    ctx.fillStyle = Draw.MARK;
    if (pts.length === 2) {
      ctx.setLineDash([4, 3]);
      ctx.beginPath(); ctx.moveTo(...pts[0]); ctx.lineTo(...pts[1]); ctx.stroke();
      ctx.setLineDash([]);
      for (let t = 1; t < V.STRIP - 1; t++) {
        const f = t / (V.STRIP - 1);
        ctx.beginPath();
        ctx.arc(pts[0][0] + f * (pts[1][0] - pts[0][0]), pts[0][1] + f * (pts[1][1] - pts[0][1]),
                2, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
    ctx.lineWidth = 2;
    ctx.font = "bold 11px system-ui, sans-serif";
    pts.forEach(([px, py], i) => {
      ctx.beginPath(); ctx.arc(px, py, 9, 0, 2 * Math.PI); ctx.stroke();
      ctx.fillText(String(i + 1), px + 10, py - 8);
    });
  }

  // Circles: the radius each colour stands for, top right, with the held-out band marked.
  function drawRadii(ctx, w) {
    const radii = D.labels.map(Number);
    const lo = Math.min(...radii);
    const hi = Math.max(...radii);
    const band = D.raw.band;
    const [x, y, h] = [w - 96, 22, 120];
    const at = (r) => y + h - (hi > lo ? (r - lo) / (hi - lo) : 0.5) * h;
    ctx.fillStyle = "rgba(255,255,255,0.9)";
    ctx.fillRect(x - 8, 4, 100, h + 44);
    for (let k = 0; k <= h; k++) {
      ctx.fillStyle = Draw.ramp(1 - k / h);
      ctx.fillRect(x, y + k, 12, 1.5);
    }
    ctx.font = "11px system-ui, sans-serif";
    ctx.fillStyle = Draw.INK;
    ctx.fillText("radius", x - 2, 15);
    ctx.fillText(hi.toFixed(2), x + 16, y + 8);
    ctx.fillText(lo.toFixed(2), x + 16, y + h);
    if (band) {   // the held-out radii: no training circle has them
      const [b0, b1] = [at(Math.min(band[1], hi)), at(Math.max(band[0], lo))];
      ctx.fillStyle = "#fff";
      ctx.fillRect(x, b0, 12, b1 - b0);
      ctx.strokeStyle = Draw.MARK;
      ctx.strokeRect(x - 1, b0, 14, b1 - b0);
      ctx.fillStyle = Draw.MARK;
      ctx.fillText(`held out`, x + 16, (b0 + b1) / 2 - 2);
      ctx.fillText(`${band[0]}–${band[1]}`, x + 16, (b0 + b1) / 2 + 10);
    }
  }

  // Which colour is which class, top right, where there are few enough classes to list.
  function drawLegend(ctx, w) {
    if (!D.glyphs) { drawRadii(ctx, w); return; }
    if (!D.coloured || D.classes.length > 20) return;
    ctx.font = "12px system-ui, sans-serif";
    const row = 16;
    ctx.fillStyle = "rgba(255,255,255,0.9)";
    ctx.fillRect(w - 70, 4, 66, row * D.classes.length + 6);
    D.classes.forEach((c, k) => {
      ctx.fillStyle = Draw.colour(k, D.classes.length);
      ctx.beginPath(); ctx.arc(w - 60, 12 + k * row, 4, 0, 2 * Math.PI); ctx.fill();
      ctx.fillStyle = Draw.INK;
      ctx.fillText(c.slice(0, 6), w - 50, 16 + k * row);
    });
  }

  // Everything but the probe, for the current view, pins and toggles.
  function background(w, h) {
    const v = S.view;
    const key = JSON.stringify([S.seed, v.cx, v.cy, v.span, w, h, window.devicePixelRatio,
                                S.grid, S.threshold, S.pins, S.aligned]);
    if (layer.key !== key) {
      const { off, ctx } = offscreen(w, h);
      if (S.grid) drawGrid(ctx, w, h);
      drawAxes(ctx, w, h);
      if (D.raw.prior) drawPrior(ctx);
      drawCodes(ctx, w, h);
      drawPins(ctx);
      drawLegend(ctx, w);
      layer = { key, canvas: off };
    }
    return layer.canvas;
  }

  function drawProbe(ctx) {
    if (!S.probe) return;
    const [px, py] = V.toScreen(S.probe);
    ctx.strokeStyle = "#000";
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(px - 7, py); ctx.lineTo(px + 7, py); ctx.moveTo(px, py - 7); ctx.lineTo(px, py + 7);
    ctx.stroke();
  }

  function draw() {
    const { ctx, w, h } = Draw.fit(canvas);
    ctx.drawImage(background(w, h), 0, 0, w, h);
    drawProbe(ctx);
  }

  return { draw };
})();
