// The page's data and state: the samples, each seed's codes and decoder, the view (centre and
// span), the pins, and the URL hash that keeps them. Read by plane.js, panels.js, explorer.js.
"use strict";

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
const COLOURED = MANY && CLASSES.length <= 128;  // beyond: one colour (no class to tell)
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

