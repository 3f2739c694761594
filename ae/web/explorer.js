// The explorer's events: a mouse hovers to decode, clicks to pin and drags to pan; a finger
// taps to decode and pin, drags to pan and pinches to zoom; the keyboard moves, pins, zooms and
// clears; the controls; the test hook; the start. The files before it (ae/explorer.py SCRIPTS)
// fill the namespace LX: model, draw, data, state, view, hash, plane, panels, seeds, take.
(() => {
  "use strict";
  const D = LX.data;
  const S = LX.state;
  const V = LX.view;
  const $ = (id) => document.getElementById(id);
  const plane = $("plane");

  // --- one frame draws what changed; a change of view, pins, seed or toggle also goes to
  // the URL hash (a probe move does not) ---------------------------------------------------
  let frame = 0;
  function render() {
    if (frame) cancelAnimationFrame(frame);
    frame = 0;
    LX.plane.draw();
    LX.panels.draw();
    LX.seeds.draw();
  }
  const redraw = () => { if (!frame) frame = requestAnimationFrame(render); };
  const changed = () => { redraw(); LX.hash.schedule(); };

  // What a screen reader hears after a key or a pin: the decoded glyph, said once it settles.
  let sayTimer = 0;
  function announce() {
    clearTimeout(sayTimer);
    sayTimer = setTimeout(() => {
      render();
      const s = LX.panels.shown();
      $("announce").textContent = `(${V.fmt(s.z[0])}, ${V.fmt(s.z[1])}): ${s.text}`
        + (S.pins.length ? `; ${S.pins.length} pinned` : "");
    }, 250);
  }

  function pin(p) {
    const at = V.pinAt(p);
    V.addPin(at);
    S.probe = V.pinZ(at);
    changed();
    announce();
  }

  // --- the pointer ----------------------------------------------------------------------
  const pointers = new Map();   // pointerId -> [x, y] on the plane
  let gesture = null;           // press (may become a tap or a pan), pan, or pinch
  const at = (e) => { const r = plane.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; };
  const MOVE_PX = { mouse: 4, other: 8 };  // a press that moves farther pans

  function panFrom(p) { return { kind: "pan", start: p, view: { ...S.view } }; }
  function pinchFrom() {
    const [a, b] = [...pointers.values()];
    const mid = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
    return { kind: "pinch", dist: Math.max(8, Math.hypot(a[0] - b[0], a[1] - b[1])),
             span: S.view.span, z: V.toLatent(...mid) };
  }

  plane.addEventListener("pointerdown", (e) => {
    if (e.pointerType === "mouse" && e.button !== 0) return;
    try { plane.setPointerCapture(e.pointerId); } catch (err) { /* not an active pointer */ }
    pointers.set(e.pointerId, at(e));
    if (pointers.size === 1) {
      gesture = { kind: "press", start: at(e), view: { ...S.view }, mouse: e.pointerType === "mouse" };
    } else if (pointers.size === 2) {
      gesture = pinchFrom();
    }
  });

  plane.addEventListener("pointermove", (e) => {
    const p = at(e);
    if (!pointers.has(e.pointerId)) {
      if (e.pointerType === "mouse") { S.probe = V.toLatent(...p); redraw(); }
      return;
    }
    pointers.set(e.pointerId, p);
    if (!gesture) return;
    if (gesture.kind === "pinch") {
      if (pointers.size < 2) return;
      const [a, b] = [...pointers.values()];
      const mid = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
      const dist = Math.max(8, Math.hypot(a[0] - b[0], a[1] - b[1]));
      // the span follows the fingers' distance, and the latent point that began between them
      // stays between them
      S.view = V.clampView({ ...S.view, span: gesture.span * gesture.dist / dist });
      const now = V.toLatent(...mid);
      S.view = V.clampView({ ...S.view, cx: S.view.cx + gesture.z[0] - now[0],
                                        cy: S.view.cy + gesture.z[1] - now[1] });
      changed();
      return;
    }
    const far = Math.hypot(p[0] - gesture.start[0], p[1] - gesture.start[1]);
    if (gesture.kind === "press" && far > MOVE_PX[gesture.mouse ? "mouse" : "other"]) {
      gesture = { ...panFrom(gesture.start), view: gesture.view };
    }
    if (gesture.kind === "pan") {
      const s = V.scale();
      S.view = V.clampView({ ...S.view, cx: gesture.view.cx - (p[0] - gesture.start[0]) / s,
                                        cy: gesture.view.cy + (p[1] - gesture.start[1]) / s });
      changed();
    } else if (gesture.mouse) {
      S.probe = V.toLatent(...p);
      redraw();
    }
  });

  function release(e, tap) {
    if (!pointers.has(e.pointerId)) return;
    if (tap && gesture && gesture.kind === "press" && pointers.size === 1) pin(at(e));
    pointers.delete(e.pointerId);
    if (pointers.size === 0) gesture = null;
    else if (pointers.size === 1) gesture = panFrom([...pointers.values()][0]);  // one finger left
    else gesture = pinchFrom();
  }
  plane.addEventListener("pointerup", (e) => release(e, true));
  plane.addEventListener("pointercancel", (e) => release(e, false));
  // The mouse leaves: the panels go back to the last pin (so its glyph can be taken away).
  const away = (e) => {
    if (e.pointerType === "mouse" && !pointers.size && S.probe) { S.probe = null; redraw(); }
  };
  plane.addEventListener("pointerleave", away);
  // A press elsewhere can reach its button before the browser says the mouse left the plane.
  document.addEventListener("pointerdown", (e) => { if (e.target !== plane) away(e); }, true);
  plane.addEventListener("wheel", (e) => {
    e.preventDefault();
    V.zoomAt(...at(e), Math.exp(Math.max(-300, Math.min(300, e.deltaY)) * 0.0015));
    changed();
  }, { passive: false });

  // --- the keyboard on the focused plane ---------------------------------------------------
  const centre = () => V.size().map((v) => v / 2);
  function moveProbe(dx, dy, big) {
    const step = (big ? 0.1 : 0.02) * S.view.span;
    const z = S.probe || V.current();
    S.probe = V.within([z[0] + dx * step, z[1] + dy * step]);
    const [px, py] = V.toScreen(S.probe);
    const [w, h] = V.size();
    if (px < 0 || px > w || py < 0 || py > h) {  // the view follows the probe
      S.view = V.clampView({ ...S.view, cx: S.probe[0], cy: S.probe[1] });
      changed();
    } else {
      redraw();
    }
  }
  const KEYS = {
    ArrowLeft: (e) => moveProbe(-1, 0, e.shiftKey),
    ArrowRight: (e) => moveProbe(1, 0, e.shiftKey),
    ArrowUp: (e) => moveProbe(0, 1, e.shiftKey),
    ArrowDown: (e) => moveProbe(0, -1, e.shiftKey),
    Enter: () => pin(V.toScreen(S.probe || V.current())),
    " ": () => pin(V.toScreen(S.probe || V.current())),
    "+": () => { V.zoomAt(...(S.probe ? V.toScreen(S.probe) : centre()), 1 / 1.5); changed(); },
    "=": () => KEYS["+"](),
    "-": () => { V.zoomAt(...(S.probe ? V.toScreen(S.probe) : centre()), 1.5); changed(); },
    "0": () => { V.fit(); changed(); },
    Escape: () => { S.pins = []; changed(); },
  };
  plane.addEventListener("keydown", (e) => {
    const act = KEYS[e.key];
    if (!act || e.ctrlKey || e.metaKey || e.altKey) return;
    e.preventDefault();
    act(e);
    announce();
  });

  // --- controls ----------------------------------------------------------------------------
  document.title = `${D.raw.title}: latent explorer`;
  $("title").textContent = `${D.raw.title}: the latent plane`;
  // the run: its directory's name (a file:// page knows where it lies) and when it was written
  const dir = location.protocol === "file:" ? decodeURIComponent(location.pathname).split("/").slice(-2)[0] : "";
  $("subtitle").textContent = [D.raw.subtitle, `run ${dir || "(this page's)"}, written `
    + `${D.run ? D.run.written : "?"}`].filter(Boolean).join(" · ");
  if (!D.glyphs) $("threshold-box").hidden = true;
  if (!D.alignable) { $("aligned-box").hidden = true; $("all-box").hidden = true; }
  D.seeds.forEach((s, i) => $("seed").append(new Option(
    `seed ${s.seed}${s.tag ? ` (${s.tag})` : ""}${s.source.note ? `: ${s.source.note}` : ""}`, String(i))));
  $("seed").addEventListener("change", (e) => {
    S.seed = +e.target.value;
    if (!S.aligned) {   // aligned, the view, the probe and the pinned points stay where they are
      V.fit();
      S.pins = S.pins.filter((p) => p.code !== undefined);  // a code's pin follows its glyph
      S.probe = null;
    }
    changed();
  });
  $("aligned").addEventListener("change", (e) => {
    V.setAligned(e.target.checked);
    showControls();
    changed();
  });
  $("all").addEventListener("change", (e) => { S.all = e.target.checked && S.aligned; changed(); });
  $("grid").addEventListener("change", (e) => { S.grid = e.target.checked; changed(); });
  $("threshold").addEventListener("change", (e) => { S.threshold = e.target.checked; changed(); });
  $("zoom-in").addEventListener("click", () => { V.zoomAt(...centre(), 1 / 1.5); changed(); });
  $("zoom-out").addEventListener("click", () => { V.zoomAt(...centre(), 1.5); changed(); });
  $("reset").addEventListener("click", () => { V.fit(); changed(); });
  $("clear").addEventListener("click", () => { S.pins = []; changed(); });
  window.addEventListener("resize", redraw);
  window.addEventListener("hashchange", () => {
    if (location.hash !== LX.hash.text()) { LX.hash.read(); showControls(); changed(); }
  });
  function showControls() {
    $("seed").value = String(S.seed);
    $("grid").checked = S.grid;
    $("threshold").checked = S.threshold;
    $("aligned").checked = S.aligned;
    $("all").checked = S.all;
    $("all").disabled = !S.aligned;
  }
  LX.take.wire();

  // --- the test hook: what the page computes and shows ----------------------------------------
  window.explorer = {
    seeds: () => D.seeds.map((s) => s.seed),
    decode(seed, z1, z2) {
      const i = D.seeds.findIndex((s) => s.seed === seed);
      if (i < 0) throw new Error(`seed ${seed} is not in the page`);
      return Array.from(V.decodeOwn(i, [z1, z2]));
    },
    // seed's decode at a point of the consensus frame, and that point in the seed's own frame
    decodeAligned(seed, w1, w2) {
      const i = D.seeds.findIndex((s) => s.seed === seed);
      if (i < 0) throw new Error(`seed ${seed} is not in the page`);
      return Array.from(V.decodeOwn(i, V.toSeed(i, [w1, w2], true)));
    },
    toSeed: (seed, w1, w2) => V.toSeed(D.seeds.findIndex((s) => s.seed === seed), [w1, w2], true),
    state: () => ({
      seed: D.seeds[S.seed].seed, view: { ...S.view }, grid: S.grid, threshold: S.threshold,
      aligned: S.aligned, all: S.all,
      probe: S.probe && [...S.probe],
      pins: S.pins.map((p) => ({ code: p.code !== undefined ? p.code : null, z: [...V.pinZ(p)] })),
    }),
    toClient(z1, z2) {
      const r = plane.getBoundingClientRect();
      const [px, py] = V.toScreen([z1, z2]);
      return [r.left + px, r.top + py];
    },
    shown: () => { const s = LX.panels.shown(); return s && { ...s, raw: undefined }; },
    strip: () => LX.panels.strips(),
    allSeeds: () => LX.seeds.shown(),
    render,                                   // draws now (bench/explorer.py times it)
    hashWrites: () => LX.hash.writes(),
    colours: () => ({ samples: [...new Set(D.colours)], ink: [LX.draw.INK, LX.draw.TICK, LX.draw.MARK] }),
  };

  LX.hash.read();
  showControls();
  render();
})();
