// "all seeds": every shown seed side by side at the same point of the consensus frame (the
// probe, else the last pin), so a reader sees where the seeds agree on what lies there. Each
// card: the seed's small plane in the main view (its codes, the pins, the probe), its decode
// at the point captioned with the nearest training sample, and with two pins its decodes
// between them. Only in the aligned view (state.js), where one point means the same for all.
LX.seeds = (() => {
  "use strict";
  const D = LX.data;
  const S = LX.state;
  const V = LX.view;
  const Draw = LX.draw;
  const $ = (id) => document.getElementById(id);
  let cards = null;   // one per seed, built the first time the view is shown
  let shown = [];     // per seed what its card says (the test hook)

  function build() {
    const box = $("seeds");
    box.textContent = "";
    cards = D.seeds.map(() => {
      const card = document.createElement("figure");
      const plane = document.createElement("canvas");
      const out = document.createElement("canvas");
      const cap = document.createElement("figcaption");
      const strip = document.createElement("div");
      plane.className = "mini";
      out.className = "tile";
      strip.className = "mini-strip";
      card.append(plane, out, cap, strip);
      box.append(card);
      return { plane, out, cap, strip, key: null, layer: null, stripKey: null };
    });
  }

  // Seed i's small plane: the main view fitted to the card, its codes, the pins (a code's pin
  // at that seed's code of the glyph), drawn once per view; the probe on top.
  function drawPlane(card, i) {
    const { ctx, w, h } = Draw.fit(card.plane);
    const s = Math.min(w, h) / S.view.span;
    const at = (z) => [w / 2 + (z[0] - S.view.cx) * s, h / 2 - (z[1] - S.view.cy) * s];
    const key = JSON.stringify([S.view, S.pins, w, h, window.devicePixelRatio]);
    if (card.key !== key) {
      const dpr = window.devicePixelRatio || 1;
      const off = document.createElement("canvas");
      off.width = Math.round(w * dpr);
      off.height = Math.round(h * dpr);
      const c = off.getContext("2d");
      c.setTransform(dpr, 0, 0, dpr, 0, 0);
      const labels = D.glyphs && !D.many;
      c.font = "bold 9px system-ui, sans-serif";
      c.textAlign = "center";
      c.textBaseline = "middle";
      for (let k = 0; k < D.n; k++) {
        const [px, py] = at(V.code(i, k));
        if (px < -9 || px > w + 9 || py < -9 || py > h + 9) continue;
        c.fillStyle = D.colours[k];
        if (labels) c.fillText(D.labels[k], px, py);
        else { c.beginPath(); c.arc(px, py, 1.5, 0, 2 * Math.PI); c.fill(); }
      }
      c.strokeStyle = Draw.MARK;
      c.lineWidth = 1.5;
      for (const p of S.pins) {
        const [px, py] = at(p.code !== undefined ? V.code(i, p.code) : p.z);
        c.beginPath(); c.arc(px, py, 5, 0, 2 * Math.PI); c.stroke();
      }
      card.key = key;
      card.layer = off;
    }
    ctx.drawImage(card.layer, 0, 0, w, h);
    if (S.probe) {
      const [px, py] = at(S.probe);
      ctx.strokeStyle = "#000";
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(px - 5, py); ctx.lineTo(px + 5, py); ctx.moveTo(px, py - 5); ctx.lineTo(px, py + 5);
      ctx.stroke();
    }
  }

  // Seed i's decode at the point of the consensus frame, and what it is.
  function drawOut(card, i, z) {
    const out = V.decodeAt(i, z);
    const { ctx, w, h } = Draw.fit(card.out);
    const seed = D.seeds[i].seed;
    if (D.glyphs) {
      Draw.glyph(ctx, out, D.shape, 0, 0, w, h, S.threshold);
      const near = LX.model.nearest(D.x, D.n, D.d, out);
      const label = JSON.stringify(D.labels[near.index]);
      const text = near.hamming === 0 ? `a copy of ${label}` : `${near.hamming} px from ${label}`;
      card.cap.textContent = `seed ${seed}: ${text}`;
      return { seed, own: V.toSeed(i, z), label: D.labels[near.index], hamming: near.hamming, text };
    }
    Draw.shape(ctx, out, 0, 0, w, h, D.lim, Draw.MARK, 1.5);
    const text = `radius ${LX.model.circleQuality(out).radius.toFixed(2)}`;
    card.cap.textContent = `seed ${seed}: ${text}`;
    return { seed, own: V.toSeed(i, z), text };
  }

  // With two pins, seed i's STRIP decodes between them (redrawn when the pins change).
  function drawStrip(card, i) {
    const key = JSON.stringify([S.pins, S.threshold]);
    if (card.stripKey === key) return;
    card.stripKey = key;
    card.strip.textContent = "";
    if (S.pins.length < 2) return;
    const ends = S.pins.map((p) => (p.code !== undefined ? V.code(i, p.code) : p.z));
    for (let t = 0; t < V.STRIP; t++) {
      const f = t / (V.STRIP - 1);
      const c = document.createElement("canvas");
      card.strip.append(c);
      const { ctx, w, h } = Draw.fit(c);
      const out = V.decodeAt(i, [ends[0][0] + f * (ends[1][0] - ends[0][0]),
                                 ends[0][1] + f * (ends[1][1] - ends[0][1])]);
      if (D.glyphs) Draw.glyph(ctx, out, D.shape, 0, 0, w, h, S.threshold);
      else Draw.shape(ctx, out, 0, 0, w, h, D.lim, Draw.MARK, 1);
    }
  }

  function draw() {
    $("seeds-box").hidden = !S.all;
    if (!S.all) { shown = []; return; }
    if (!cards) build();
    const z = V.current();
    $("seeds-title").textContent = `all ${D.seeds.length} seeds at (${V.fmt(z[0])}, `
      + `${V.fmt(z[1])}) of the consensus frame` + (S.pins.length === 2
      ? `; each row below a card: its ${V.STRIP} decodes between the pins` : "");
    shown = cards.map((card, i) => {
      drawPlane(card, i);
      drawStrip(card, i);
      return drawOut(card, i, z);
    });
  }

  return { draw, shown: () => shown.map((s) => ({ ...s, own: [...s.own] })) };
})();
