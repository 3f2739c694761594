// The latent plane: the decoded grid behind, the axes in latent units, a VAE's prior circles
// and posterior ellipses, the codes (labels, or dots coloured by class), the pins, the pointer.
"use strict";

// --- the plane -----------------------------------------------------------------------
let gridCache = { key: null, canvas: null };
function drawGrid(ctx, w, h) {
  const key = [state.seed, state.view.cx, state.view.cy, state.view.span, w, h,
               state.threshold].join();
  if (gridCache.key !== key) {
    const dpr = window.devicePixelRatio || 1;
    const off = document.createElement("canvas");
    off.width = Math.round(w * dpr);
    off.height = Math.round(h * dpr);
    const g = off.getContext("2d");
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    const cw = GLYPHS ? 30 * DATA.shape[1] / Math.max(...DATA.shape) : 44;
    const ch = GLYPHS ? 30 * DATA.shape[0] / Math.max(...DATA.shape) : 44;
    for (let y = 0; y < h; y += ch) {
      for (let x = 0; x < w; x += cw) {
        const out = decodeAt(state.seed, toLatent(x + cw / 2, y + ch / 2));
        if (GLYPHS) Draw.glyph(g, out, DATA.shape, x + 1, y + 1, cw - 2, ch - 2, state.threshold);
        else Draw.shape(g, out, x + 2, y + 2, cw - 4, ch - 4, LIM, "#888", 1);
      }
    }
    gridCache = { key, canvas: off };
  }
  ctx.globalAlpha = 0.55;
  ctx.drawImage(gridCache.canvas, 0, 0, w, h);
  ctx.globalAlpha = 1;
}

function drawAxes(ctx, w, h) {
  const [x0, y1] = toLatent(0, 0);
  const [x1, y0] = toLatent(w, h);
  ctx.font = "11px system-ui, sans-serif";
  ctx.lineWidth = 1;
  const tx = Draw.ticks(x0, x1, Math.max(3, w / 90));
  const ty = Draw.ticks(y0, y1, Math.max(3, h / 70));
  for (const v of tx.values) {
    const [px] = toScreen([v, 0]);
    ctx.strokeStyle = v === 0 ? "#bbb" : "#eee";
    ctx.beginPath(); ctx.moveTo(px, 0); ctx.lineTo(px, h); ctx.stroke();
    ctx.fillStyle = "#777";
    ctx.fillText(v.toFixed(tx.digits), px + 2, h - 4);
  }
  for (const v of ty.values) {
    const [, py] = toScreen([0, v]);
    ctx.strokeStyle = v === 0 ? "#bbb" : "#eee";
    ctx.beginPath(); ctx.moveTo(0, py); ctx.lineTo(w, py); ctx.stroke();
    ctx.fillStyle = "#777";
    ctx.fillText(v.toFixed(ty.digits), 3, py - 3);
  }
  ctx.fillStyle = "#333";
  ctx.font = "12px system-ui, sans-serif";
  ctx.fillText("z1 →", w - 36, h - 18);
  ctx.fillText("z2 ↑", 40, 14);
}

function drawPrior(ctx) {
  const [ox, oy] = toScreen([0, 0]);
  ctx.setLineDash([5, 4]);
  ctx.strokeStyle = "#999";
  for (const r of [1, 2]) {
    ctx.beginPath(); ctx.arc(ox, oy, r * scale(), 0, 2 * Math.PI); ctx.stroke();
    ctx.fillStyle = "#999";
    ctx.fillText(`${r}σ`, ox + r * scale() * 0.71 + 3, oy - r * scale() * 0.71 - 3);
  }
  ctx.setLineDash([]);
}

function colourOf(k) {
  if (!GLYPHS) {
    const lo = Math.min(...RADII);
    const hi = Math.max(...RADII);
    return Draw.ramp(hi > lo ? (RADII[k] - lo) / (hi - lo) : 0.5);
  }
  return COLOURED ? Draw.colour(CLASS_OF[k], CLASSES.length) : "#1f3a93";
}

function drawCodes(ctx, w, h) {
  const s = SEEDS[state.seed];
  const visible = [];
  for (let k = 0; k < N; k++) {
    const p = toScreen(code(state.seed, k));
    if (p[0] >= -20 && p[0] <= w + 20 && p[1] >= -20 && p[1] <= h + 20) visible.push([k, p]);
  }
  if (s.logvar) {
    ctx.globalAlpha = 0.13;
    for (const [k, [px, py]] of visible) {
      ctx.fillStyle = colourOf(k);
      ctx.beginPath();
      ctx.ellipse(px, py, Math.exp(0.5 * s.logvar[2 * k]) * scale(),
                  Math.exp(0.5 * s.logvar[2 * k + 1]) * scale(), 0, 0, 2 * Math.PI);
      ctx.fill();
    }
    ctx.globalAlpha = 1;
  }
  const labels = GLYPHS && (!MANY || visible.length <= 150);
  ctx.font = "bold 13px system-ui, sans-serif";
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  for (const [k, [px, py]] of visible) {
    ctx.fillStyle = colourOf(k);
    if (labels) {
      ctx.strokeStyle = "rgba(255,255,255,0.9)";
      ctx.lineWidth = 3;
      ctx.strokeText(DATA.labels[k], px, py);
      ctx.fillText(DATA.labels[k], px, py);
    } else {
      ctx.beginPath(); ctx.arc(px, py, 3, 0, 2 * Math.PI); ctx.fill();
    }
  }
  ctx.textAlign = "start";
  ctx.textBaseline = "alphabetic";
}

function drawPins(ctx) {
  const pts = state.pins.map((p) => toScreen(pinZ(p)));
  ctx.strokeStyle = "#c0392b";
  ctx.fillStyle = "#c0392b";
  if (pts.length === 2) {
    ctx.setLineDash([4, 3]);
    ctx.beginPath(); ctx.moveTo(...pts[0]); ctx.lineTo(...pts[1]); ctx.stroke();
    ctx.setLineDash([]);
    for (let t = 1; t < STRIP - 1; t++) {
      const f = t / (STRIP - 1);
      ctx.beginPath();
      ctx.arc(pts[0][0] + f * (pts[1][0] - pts[0][0]), pts[0][1] + f * (pts[1][1] - pts[0][1]),
              2, 0, 2 * Math.PI);
      ctx.fill();
    }
  }
  ctx.lineWidth = 2;
  pts.forEach(([px, py], i) => {
    ctx.beginPath(); ctx.arc(px, py, 9, 0, 2 * Math.PI); ctx.stroke();
    ctx.font = "bold 11px system-ui, sans-serif";
    ctx.fillText(String(i + 1), px + 10, py - 8);
  });
}

function drawProbe(ctx) {
  if (!probe) return;
  const [px, py] = toScreen(probe);
  ctx.strokeStyle = "#000";
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(px - 7, py); ctx.lineTo(px + 7, py); ctx.moveTo(px, py - 7); ctx.lineTo(px, py + 7);
  ctx.stroke();
}

// Which colour is which class, top right, where there are few enough classes to list.
function drawLegend(ctx, w) {
  if (!COLOURED || CLASSES.length > 20) return;
  ctx.font = "12px system-ui, sans-serif";
  const row = 16;
  ctx.fillStyle = "rgba(255,255,255,0.85)";
  ctx.fillRect(w - 70, 4, 66, row * CLASSES.length + 6);
  CLASSES.forEach((c, k) => {
    ctx.fillStyle = Draw.colour(k, CLASSES.length);
    ctx.beginPath(); ctx.arc(w - 60, 12 + k * row, 4, 0, 2 * Math.PI); ctx.fill();
    ctx.fillStyle = "#333";
    ctx.fillText(c.slice(0, 6), w - 50, 16 + k * row);
  });
}

function drawPlane() {
  const { ctx, w, h } = Draw.fit(plane);
  if (state.grid) drawGrid(ctx, w, h);
  drawAxes(ctx, w, h);
  if (DATA.prior) drawPrior(ctx);
  drawCodes(ctx, w, h);
  drawPins(ctx);
  drawProbe(ctx);
  drawLegend(ctx, w);
}

