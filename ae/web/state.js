// The page's data (the samples, each seed's codes, decoder and transform into the consensus)
// and its state (the seed, the view: centre and span, the pins, the toggles, the probe), with
// the view's arithmetic. The plane's points are in the consensus frame when "aligned" is on
// (every seed drawn there, decoded at its own point: toSeed), else in the seed's own.
LX.data = (() => {
  "use strict";
  const raw = JSON.parse(document.getElementById("data").textContent);
  const glyphs = raw.kind === "glyphs";
  const n = raw.n;
  const x = glyphs ? raw.x : LX.model.floats(raw.x);   // '0'/'1' per pixel, or the points
  const classes = [...new Set(raw.classes)];
  const classOf = raw.classes.map((c) => classes.indexOf(c));
  const many = n > 64;                                   // dots coloured by class, not labels
  const coloured = many && classes.length <= 128;        // beyond: one colour (no class to tell)
  const seeds = raw.seeds.map((s) => ({
    seed: s.seed, tag: s.tag, source: s, decoder: null,
    codes: LX.model.floats(s.codes), logvar: s.logvar ? LX.model.floats(s.logvar) : null,
    align: s.align || null,
  }));
  const alignable = seeds.length >= 2 && seeds.every((s) => s.align);
  // Each sample's colour, computed once: by radius (circles), by class, or one ink.
  let colours;
  if (!glyphs) {
    const radii = raw.labels.map(Number);
    const lo = Math.min(...radii);
    const hi = Math.max(...radii);
    colours = radii.map((r) => LX.draw.ramp(hi > lo ? (r - lo) / (hi - lo) : 0.5));
  } else {
    const one = "#1f3a93";
    colours = classOf.map((k) => (coloured ? LX.draw.colour(k, classes.length) : one));
  }
  return {
    raw, glyphs, n, d: raw.d, x, shape: raw.shape, labels: raw.labels, classes, classOf,
    many, coloured, seeds, alignable, colours, run: raw.run || null,
    // circles: the half-width of the box the shapes are drawn in (as the figures draw them)
    lim: glyphs ? 1 : 1.1 * x.reduce((m, v) => Math.max(m, Math.abs(v)), 0),
  };
})();

LX.state = {
  seed: 0,          // index into LX.data.seeds
  view: null,       // { cx, cy, span }: the latent point at the plane's centre, and the
                    // latent length across the plane's smaller side
  pins: [],         // at most 2: { code: k } on a sample's code, or { z: [z1, z2] }
  grid: false,
  threshold: false,
  aligned: false,   // the plane is the consensus frame (the hash's default: on when alignable)
  all: false,       // the "all seeds" small multiples (aligned only)
  probe: null,      // the latent point under the pointer or the keyboard's cursor, or null
};

LX.view = (() => {
  "use strict";
  const D = LX.data;
  const S = LX.state;
  const plane = document.getElementById("plane");
  const STRIP = 9;              // decodes between two pins, both ends included
  const PICK_PX = 10;           // a click this close to a code pins the code
  const ZOOM_IN = 1e4;          // the view's span stays within [fitted / 1e4, fitted * 100]
  const ZOOM_OUT = 100;
  const REACH = 100;            // and its centre within 100 fitted spans of the codes

  function decoderOf(i) {
    const s = D.seeds[i];
    if (!s.decoder) s.decoder = LX.model.decoder(s.source);
    return s.decoder;
  }
  // Seed i's transform w = scale * z R + shift takes its own point z to the consensus frame.
  function toPlane(i, z, on = S.aligned) {
    const a = D.seeds[i].align;
    if (!on || !a) return z;
    const [r, s] = [a.rotation, a.scale];
    return [s * (z[0] * r[0][0] + z[1] * r[1][0]) + a.shift[0],
            s * (z[0] * r[0][1] + z[1] * r[1][1]) + a.shift[1]];
  }
  // ...and z = ((w - shift) / scale) R^T takes a point of the plane back to seed i's own.
  function toSeed(i, w, on = S.aligned) {
    const a = D.seeds[i].align;
    if (!on || !a) return w;
    const r = a.rotation;
    const u = [(w[0] - a.shift[0]) / a.scale, (w[1] - a.shift[1]) / a.scale];
    return [u[0] * r[0][0] + u[1] * r[0][1], u[0] * r[1][0] + u[1] * r[1][1]];
  }
  const decodeOwn = (i, z) => LX.model.decode(decoderOf(i), z);
  const decodeAt = (i, w) => decodeOwn(i, toSeed(i, w));   // a point of the plane
  const own = (i, k) => [D.seeds[i].codes[2 * k], D.seeds[i].codes[2 * k + 1]];
  const placed = [];   // each seed's codes in the consensus frame, computed once
  function code(i, k) {
    if (!S.aligned) return own(i, k);
    if (!placed[i]) {
      placed[i] = new Float64Array(2 * D.n);
      for (let j = 0; j < D.n; j++) placed[i].set(toPlane(i, own(i, j), true), 2 * j);
    }
    return [placed[i][2 * k], placed[i][2 * k + 1]];
  }
  const pinZ = (pin) => (pin.code !== undefined ? code(S.seed, pin.code) : pin.z);

  // The view that shows every code of seed i (and a VAE's prior to 2 std); aligned, the one
  // view that shows every seed's, so switching seeds keeps each glyph where it was.
  const fits = {};
  function fitted(i) {
    const key = S.aligned ? "aligned" : i;
    if (fits[key]) return fits[key];
    let lo = [Infinity, Infinity];
    let hi = [-Infinity, -Infinity];
    for (const j of S.aligned ? D.seeds.keys() : [i]) {
      for (let k = 0; k < D.n; k++) {
        const z = code(j, k);
        for (const a of [0, 1]) { lo[a] = Math.min(lo[a], z[a]); hi[a] = Math.max(hi[a], z[a]); }
      }
      if (D.raw.prior) {   // the prior's 2.2 std circle of seed j, where the plane draws it
        const c = toPlane(j, [0, 0]);
        const r = 2.2 * (S.aligned ? D.seeds[j].align.scale : 1);
        lo = lo.map((v, a) => Math.min(v, c[a] - r));
        hi = hi.map((v, a) => Math.max(v, c[a] + r));
      }
    }
    const span = Math.max(hi[0] - lo[0], hi[1] - lo[1], 1e-6) * 1.15;
    fits[key] = { cx: (lo[0] + hi[0]) / 2, cy: (lo[1] + hi[1]) / 2, span };
    return fits[key];
  }
  const fit = () => { S.view = { ...fitted(S.seed) }; };

  // A latent point brought within reach of seed i's codes.
  function within(z, i = S.seed) {
    const f = fitted(i);
    const r = REACH * f.span;
    return [Math.min(f.cx + r, Math.max(f.cx - r, z[0])), Math.min(f.cy + r, Math.max(f.cy - r, z[1]))];
  }
  // The view with its span and centre inside the limits the buttons allow.
  function clampView(v, i = S.seed) {
    const f = fitted(i);
    const [cx, cy] = within([v.cx, v.cy], i);
    return { cx, cy, span: Math.min(f.span * ZOOM_OUT, Math.max(f.span / ZOOM_IN, v.span)) };
  }

  const size = () => [plane.clientWidth, plane.clientHeight];
  const scale = () => Math.min(...size()) / S.view.span;
  function toScreen(z) {
    const s = scale();
    const [w, h] = size();
    return [w / 2 + (z[0] - S.view.cx) * s, h / 2 - (z[1] - S.view.cy) * s];
  }
  function toLatent(px, py) {
    const s = scale();
    const [w, h] = size();
    return [S.view.cx + (px - w / 2) / s, S.view.cy - (py - h / 2) / s];
  }
  // Zoom by `factor` keeping the latent point under screen point (px, py) where it is.
  function zoomAt(px, py, factor) {
    const z = toLatent(px, py);
    S.view = clampView({ ...S.view, span: S.view.span * factor });
    const after = toLatent(px, py);
    S.view = clampView({ ...S.view, cx: S.view.cx + z[0] - after[0], cy: S.view.cy + z[1] - after[1] });
  }
  // The pin for screen point p: the code within PICK_PX of it, else the point itself.
  function pinAt(p) {
    let best = null;
    let bestD = PICK_PX;
    for (let k = 0; k < D.n; k++) {
      const q = toScreen(code(S.seed, k));
      const d = Math.hypot(q[0] - p[0], q[1] - p[1]);
      if (d < bestD) { best = k; bestD = d; }
    }
    return best !== null ? { code: best } : { z: within(toLatent(...p)) };
  }
  // A new pin: the third starts a new pair.
  function addPin(pin) {
    S.pins = S.pins.length >= 2 ? [pin] : [...S.pins, pin];
  }
  // What the decoded panel shows: the probe, else the last pin, else the first code.
  const current = () => S.probe || (S.pins.length ? pinZ(S.pins[S.pins.length - 1]) : code(S.seed, 0));
  const fmt = (v) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3));

  // Turns the aligned view on or off: the view, the probe and the pinned points keep showing
  // the same latent points of the current seed, now in the other frame.
  function setAligned(on) {
    if (on === S.aligned || (on && !D.alignable)) return;
    const i = S.seed;
    const move = (z) => (on ? toPlane(i, z, true) : toSeed(i, z, true));
    const c = move([S.view.cx, S.view.cy]);
    const span = S.view.span * (on ? D.seeds[i].align.scale : 1 / D.seeds[i].align.scale);
    if (S.probe) S.probe = move(S.probe);
    S.pins = S.pins.map((p) => (p.code !== undefined ? p : { z: move(p.z) }));
    S.aligned = on;
    if (!on) S.all = false;
    S.view = clampView({ cx: c[0], cy: c[1], span });
  }

  return { STRIP, decodeAt, decodeOwn, toPlane, toSeed, code, pinZ, fitted, fit, within,
           clampView, size, scale, toScreen, toLatent, zoomAt, pinAt, addPin, current, fmt,
           setAligned };
})();
