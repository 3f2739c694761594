// The panels beside the plane: the output decoded at the pointer, the nearest training sample,
// and the strip of decodes between two pins.
"use strict";

// --- the panels ----------------------------------------------------------------------
function describe(out) {
  if (GLYPHS) {
    const near = AE.nearest(X, N, D, out);
    return { near, label: DATA.labels[near.index] };
  }
  return { near: AE.nearestShape(X, N, D, out), quality: AE.circleQuality(out) };
}
const sample = (k) => (GLYPHS ? Array.from({ length: D }, (_, j) => (X[k * D + j] === "1" ? 1 : 0))
                              : X.subarray(k * D, (k + 1) * D));

function drawPanels() {
  const z = probe || (state.pins.length ? pinZ(state.pins[0]) : code(state.seed, 0));
  const out = decodeAt(state.seed, z);
  const info = describe(out);
  shown = { z: [...z], output: Array.from(out, (v) => (GLYPHS && state.threshold ? +(v > 0.5) : v)),
            nearest: info.near.index, label: DATA.labels[info.near.index],
            hamming: GLYPHS ? info.near.hamming : null };
  const o = Draw.fit($("out"));
  const n = Draw.fit($("near"));
  $("out-title").textContent = `decoded at (${fmt(z[0])}, ${fmt(z[1])})`;
  if (GLYPHS) {
    Draw.glyph(o.ctx, out, DATA.shape, 0, 0, o.w, o.h, state.threshold);
    const ref = sample(info.near.index);
    Draw.glyph(n.ctx, ref, DATA.shape, 0, 0, n.w, n.h, true,
               ref.map((v, j) => (v > 0.5) !== (out[j] > 0.5)));
    $("out-text").innerHTML = info.near.hamming === 0
      ? `<span class="copy">a copy of ${escape(info.label)}</span> (0 px)`
      : `new: ${info.near.hamming} px from ${escape(info.label)}`;
    $("near-title").textContent = "nearest training glyph";
    $("near-text").textContent = `${info.label}: ${info.near.hamming} px differ (red)`;
  } else {
    const q = info.quality;
    const f = Draw.shape(o.ctx, out, 0, 0, o.w, o.h, LIM, "#c0392b", 2);
    o.ctx.setLineDash([4, 3]);
    o.ctx.strokeStyle = "#555";
    o.ctx.beginPath();
    o.ctx.arc(f.px(q.centre[0]), f.py(q.centre[1]), q.radius * f.scale, 0, 2 * Math.PI);
    o.ctx.stroke();
    o.ctx.setLineDash([]);
    $("out-text").textContent =
      `fitted radius ${q.radius.toFixed(3)}, circularity ${(100 * q.circularity).toFixed(2)}%`;
    Draw.shape(n.ctx, sample(info.near.index), 0, 0, n.w, n.h, LIM, "#888", 2);
    Draw.shape(n.ctx, out, 0, 0, n.w, n.h, LIM, "#c0392b", 1);
    $("near-title").textContent = "nearest training circle (grey)";
    $("near-text").textContent =
      `radius ${DATA.labels[info.near.index]}, RMSE ${info.near.rmse.toFixed(4)}`;
  }
  drawStrip();
}

function pinName(pin) {
  if (pin.code !== null) return DATA.labels[pin.code];
  return `(${fmt(pin.z[0])}, ${fmt(pin.z[1])})`;
}

function drawStrip() {
  const strip = $("strip");
  strip.textContent = "";
  if (state.pins.length < 2) {
    $("strip-title").textContent = "pin two points (or codes) for 9 decodes between them";
    return;
  }
  const [a, b] = state.pins.map(pinZ);
  $("strip-title").textContent =
    `${pinName(state.pins[0])} → ${pinName(state.pins[1])}: ${STRIP} decodes`;
  for (let t = 0; t < STRIP; t++) {
    const f = t / (STRIP - 1);
    const out = decodeAt(state.seed, [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])]);
    const fig = document.createElement("figure");
    const c = document.createElement("canvas");
    const cap = document.createElement("figcaption");
    fig.append(c, cap);
    strip.append(fig);
    const { ctx, w, h } = Draw.fit(c);
    if (GLYPHS) {
      Draw.glyph(ctx, out, DATA.shape, 0, 0, w, h, state.threshold);
      const near = AE.nearest(X, N, D, out);
      cap.textContent = near.hamming === 0 ? `=${DATA.labels[near.index]}` : `${near.hamming}px`;
    } else {
      Draw.shape(ctx, out, 0, 0, w, h, LIM, "#c0392b", 1.5);
      cap.textContent = `r ${AE.circleQuality(out).radius.toFixed(2)}`;
    }
  }
}

function escape(s) {
  const e = document.createElement("span");
  e.textContent = s;
  return e.innerHTML;
}

