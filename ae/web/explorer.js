// The explorer's events: hover decodes, click pins, drag pans (a finger's drag decodes), wheel
// or pinch zooms; the controls; the test hook; the start. Files before it: model.js, draw.js,
// state.js, plane.js, panels.js (ae/explorer.py inlines them in one script, in that order).
"use strict";

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
