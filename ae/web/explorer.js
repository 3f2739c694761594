// The explorer: the latent plane of each shown seed, decoded live under the pointer, pins and
// the path between them, a decoded grid behind the codes, and the view kept in the URL hash.
// Reads the JSON that ae/explorer.py inlines; uses AE (model.js) and Draw (draw.js).
"use strict";

(() => {
  const DATA = JSON.parse(document.getElementById("data").textContent);
  const GLYPHS = DATA.kind === "glyphs";
  const N = DATA.n;
  const D = DATA.d;
  const X = GLYPHS ? DATA.x : AE.floats(DATA.x);  // '0'/'1' per pixel, or the points
  const SEEDS = DATA.seeds.map((s) => ({
    seed: s.seed, tag: s.tag, source: s, decoder: null,
    codes: AE.floats(s.codes), logvar: s.logvar ? AE.floats(s.logvar) : null,
  }));
  const CLASSES = [...new Set(DATA.classes)];
  const CLASS_OF = DATA.classes.map((c) => CLASSES.indexOf(c));
  const MANY = N > 64;          // above 64 samples: dots coloured by class, not labels
  const STRIP = 9;              // decodes between two pins, both ends included
  const PICK_PX = 10;           // a click this close to a code pins the code
  // circles: the half-width of the box the shapes are drawn in (as the figures draw them)
  const LIM = GLYPHS ? 1 : 1.1 * X.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const RADII = GLYPHS ? null : DATA.labels.map(Number);

  const $ = (id) => document.getElementById(id);
  const plane = $("plane");
  const state = { seed: 0, view: null, pins: [], grid: false, threshold: false };
  let probe = null;
  let shown = null;             // what the decoded panel shows now (the test hook reads it)

  // --- the model -----------------------------------------------------------------------
  function decoderOf(i) {
    if (!SEEDS[i].decoder) SEEDS[i].decoder = AE.decoder(SEEDS[i].source);
    return SEEDS[i].decoder;
  }
  const decodeAt = (i, z) => AE.decode(decoderOf(i), z);
  const code = (i, k) => [SEEDS[i].codes[2 * k], SEEDS[i].codes[2 * k + 1]];
  const pinZ = (pin) => (pin.code === null ? pin.z : code(state.seed, pin.code));
  const fmt = (v) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3));

  // --- the view: centre and the latent span across the plane's smaller side ------------
  function fitView(i) {
    let lo = [Infinity, Infinity];
    let hi = [-Infinity, -Infinity];
    for (let k = 0; k < N; k++) {
      const z = code(i, k);
      for (const a of [0, 1]) { lo[a] = Math.min(lo[a], z[a]); hi[a] = Math.max(hi[a], z[a]); }
    }
    if (DATA.prior) { lo = lo.map((v) => Math.min(v, -2.2)); hi = hi.map((v) => Math.max(v, 2.2)); }
    const span = Math.max(hi[0] - lo[0], hi[1] - lo[1], 1e-6) * 1.15;
    return { cx: (lo[0] + hi[0]) / 2, cy: (lo[1] + hi[1]) / 2, span };
  }
  const scale = () => Math.min(plane.clientWidth, plane.clientHeight) / state.view.span;
  function toScreen(z) {
    const s = scale();
    return [plane.clientWidth / 2 + (z[0] - state.view.cx) * s,
            plane.clientHeight / 2 - (z[1] - state.view.cy) * s];
  }
  function toLatent(px, py) {
    const s = scale();
    return [state.view.cx + (px - plane.clientWidth / 2) / s,
            state.view.cy - (py - plane.clientHeight / 2) / s];
  }
  function zoomAt(px, py, factor) {
    const z = toLatent(px, py);
    state.view.span = Math.min(1e6, Math.max(1e-6, state.view.span * factor));
    const after = toLatent(px, py);
    state.view.cx += z[0] - after[0];
    state.view.cy += z[1] - after[1];
    changed();
  }

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
    return MANY ? Draw.colour(CLASS_OF[k], CLASSES.length) : "#1f3a93";
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

  function drawPlane() {
    const { ctx, w, h } = Draw.fit(plane);
    if (state.grid) drawGrid(ctx, w, h);
    drawAxes(ctx, w, h);
    if (DATA.prior) drawPrior(ctx);
    drawCodes(ctx, w, h);
    drawPins(ctx);
    drawProbe(ctx);
  }

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

  // --- state and the URL hash -----------------------------------------------------------
  function hash() {
    const v = state.view;
    const pins = state.pins.map((p) => (p.code !== null ? `c${p.code}` : p.z.map((x) => +x.toPrecision(6)).join(",")));
    return `#seed=${SEEDS[state.seed].seed}&view=${[v.cx, v.cy, v.span].map((x) => +x.toPrecision(6)).join(",")}`
      + `&pins=${pins.join(";")}&grid=${+state.grid}&threshold=${+state.threshold}`;
  }

  function readHash() {
    const q = new URLSearchParams(location.hash.slice(1));
    const i = SEEDS.findIndex((s) => String(s.seed) === q.get("seed"));
    state.seed = i >= 0 ? i : 0;
    const v = (q.get("view") || "").split(",").map(Number);
    state.view = v.length === 3 && v.every(Number.isFinite) && v[2] > 0
      ? { cx: v[0], cy: v[1], span: v[2] } : fitView(state.seed);
    state.pins = (q.get("pins") || "").split(";").filter(Boolean).slice(0, 2).map((p) => {
      if (/^c\d+$/.test(p) && +p.slice(1) < N) return { code: +p.slice(1), z: null };
      const z = p.split(",").map(Number);
      return z.length === 2 && z.every(Number.isFinite) ? { code: null, z } : null;
    }).filter(Boolean);
    state.grid = q.get("grid") === "1";
    state.threshold = q.get("threshold") === "1";
    $("seed").value = String(state.seed);
    $("grid").checked = state.grid;
    $("threshold").checked = state.threshold;
  }

  let frame = 0;
  function changed() {
    history.replaceState(null, "", hash());
    if (!frame) frame = requestAnimationFrame(() => { frame = 0; drawPlane(); drawPanels(); });
  }

  // --- the pointer: hover decodes, click pins, drag pans (a finger's drag decodes), wheel
  // or pinch zooms ---------------------------------------------------------------------
  const pointers = new Map();
  let drag = null;
  const at = (e) => { const r = plane.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; };

  function setProbe(p) { probe = toLatent(...p); changed(); }

  function click(p) {
    let best = null;
    let bestD = PICK_PX;
    for (let k = 0; k < N; k++) {
      const q = toScreen(code(state.seed, k));
      const d = Math.hypot(q[0] - p[0], q[1] - p[1]);
      if (d < bestD) { best = k; bestD = d; }
    }
    const pin = best !== null ? { code: best, z: null } : { code: null, z: toLatent(...p) };
    state.pins = state.pins.length >= 2 ? [pin] : [...state.pins, pin];
    probe = pinZ(pin);
    changed();
  }

  plane.addEventListener("pointerdown", (e) => {
    plane.setPointerCapture(e.pointerId);
    pointers.set(e.pointerId, at(e));
    if (pointers.size === 1) {
      drag = { start: at(e), view: { ...state.view }, moved: false, touch: e.pointerType !== "mouse" };
      if (drag.touch) setProbe(at(e));
    } else {
      const [p, q] = [...pointers.values()];
      drag = { pinch: Math.hypot(p[0] - q[0], p[1] - q[1]), span: state.view.span, moved: true };
    }
  });
  plane.addEventListener("pointermove", (e) => {
    const p = at(e);
    if (!pointers.has(e.pointerId)) { if (e.pointerType === "mouse") setProbe(p); return; }
    pointers.set(e.pointerId, p);
    if (!drag) return;
    if (drag.pinch) {
      const [a, b] = [...pointers.values()];
      const mid = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
      zoomAt(...mid, drag.span / state.view.span * drag.pinch / Math.max(1, Math.hypot(a[0] - b[0], a[1] - b[1])));
      return;
    }
    drag.moved = drag.moved || Math.hypot(p[0] - drag.start[0], p[1] - drag.start[1]) > 4;
    if (drag.touch) { setProbe(p); return; }
    if (drag.moved) {
      const s = scale();
      state.view.cx = drag.view.cx - (p[0] - drag.start[0]) / s;
      state.view.cy = drag.view.cy + (p[1] - drag.start[1]) / s;
      changed();
    }
  });
  const release = (e) => {
    if (drag && !drag.moved && !drag.pinch && pointers.has(e.pointerId)) click(at(e));
    pointers.delete(e.pointerId);
    if (pointers.size === 0 || drag?.pinch) drag = null;
  };
  plane.addEventListener("pointerup", release);
  plane.addEventListener("pointercancel", (e) => { pointers.delete(e.pointerId); drag = null; });
  plane.addEventListener("wheel", (e) => {
    e.preventDefault();
    zoomAt(...at(e), Math.exp(e.deltaY * 0.0015));
  }, { passive: false });

  // --- controls --------------------------------------------------------------------------
  document.title = `${DATA.title}: latent explorer`;
  $("title").textContent = `${DATA.title}: the latent plane`;
  $("subtitle").textContent = DATA.subtitle;
  if (!GLYPHS) $("threshold-box").hidden = true;
  SEEDS.forEach((s, i) => $("seed").append(new Option(`seed ${s.seed}${s.tag ? ` (${s.tag})` : ""}`, String(i))));
  $("seed").addEventListener("change", (e) => {
    state.seed = +e.target.value;
    state.view = fitView(state.seed);
    state.pins = state.pins.filter((p) => p.code !== null);  // a code's pin follows its glyph
    probe = null;
    changed();
  });
  $("grid").addEventListener("change", (e) => { state.grid = e.target.checked; changed(); });
  $("threshold").addEventListener("change", (e) => { state.threshold = e.target.checked; changed(); });
  const centre = () => [plane.clientWidth / 2, plane.clientHeight / 2];
  $("zoom-in").addEventListener("click", () => zoomAt(...centre(), 1 / 1.5));
  $("zoom-out").addEventListener("click", () => zoomAt(...centre(), 1.5));
  $("reset").addEventListener("click", () => { state.view = fitView(state.seed); changed(); });
  $("clear").addEventListener("click", () => { state.pins = []; changed(); });
  window.addEventListener("resize", changed);
  window.addEventListener("hashchange", () => { if (location.hash !== hash()) { readHash(); changed(); } });

  // --- the test hook: what the page computes and shows ------------------------------------
  window.explorer = {
    seeds: () => SEEDS.map((s) => s.seed),
    decode(seed, z1, z2) {
      const i = SEEDS.findIndex((s) => s.seed === seed);
      if (i < 0) throw new Error(`seed ${seed} is not in the page`);
      return Array.from(decodeAt(i, [z1, z2]));
    },
    state: () => ({
      seed: SEEDS[state.seed].seed, view: { ...state.view }, grid: state.grid,
      threshold: state.threshold, probe: probe && [...probe],
      pins: state.pins.map((p) => ({ code: p.code, z: [...pinZ(p)] })),
    }),
    toClient(z1, z2) {
      const r = plane.getBoundingClientRect();
      const [px, py] = toScreen([z1, z2]);
      return [r.left + px, r.top + py];
    },
    shown: () => shown,
    strip: () => $("strip").querySelectorAll("canvas").length,
  };

  readHash();
  changed();
})();
