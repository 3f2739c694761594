// The URL hash keeps the seed, the view, the pins and the toggles, so a link reopens them (the
// view and the pins in the frame the aligned toggle names).
// Written only when they change, once they have stood still for 300 ms (a drag or a pinch
// writes once, when it ends: browsers refuse or drop history calls past ~100 in 30 s); read
// with every value checked and brought into range.
LX.hash = (() => {
  "use strict";
  const D = LX.data;
  const S = LX.state;
  const V = LX.view;
  const QUIET_MS = 300;     // written this long after the last change
  const MAX_CHARS = 4096;   // of a hash read; the rest is ignored
  let timer = 0;
  let writes = 0;

  const num = (v) => +v.toPrecision(6);
  function text() {
    const v = S.view;
    const pins = S.pins.map((p) => (p.code !== undefined ? `c${p.code}` : p.z.map(num).join(",")));
    return `#seed=${D.seeds[S.seed].seed}&view=${[v.cx, v.cy, v.span].map(num).join(",")}`
      + `&pins=${pins.join(";")}&grid=${+S.grid}&threshold=${+S.threshold}`
      + `&aligned=${+S.aligned}&all=${+S.all}`;
  }

  function write() {
    timer = 0;
    const h = text();
    if (h === location.hash) return;
    try {
      history.replaceState(null, "", h);
      writes += 1;
    } catch (e) {
      // A browser's rate limit or a sandbox: the link lags, the page goes on drawing.
    }
  }

  // A change worth keeping in the link: written once things settle.
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(write, QUIET_MS);
  }

  const numbers = (s, count) => {
    const v = (s || "").split(",").map((t) => (t.trim() === "" ? NaN : Number(t)));
    return v.length === count && v.every(Number.isFinite) ? v : null;
  };

  // The state from the hash: an unknown or missing seed resets the view and the pins; a value
  // out of range is brought in; anything unreadable is left at its default; unknown keys are
  // ignored.
  function read() {
    const q = new URLSearchParams(location.hash.slice(1, MAX_CHARS));
    const i = D.seeds.findIndex((s) => String(s.seed) === q.get("seed"));
    S.seed = Math.max(0, i);
    S.grid = q.get("grid") === "1";
    S.threshold = q.get("threshold") === "1";
    S.aligned = D.alignable && q.get("aligned") !== "0";   // on unless the link says off
    S.all = S.aligned && q.get("all") === "1";
    S.probe = null;
    S.pins = [];
    V.fit();
    if (i < 0) return;
    const v = numbers(q.get("view"), 3);
    if (v && v[2] > 0) S.view = V.clampView({ cx: v[0], cy: v[1], span: v[2] });
    S.pins = (q.get("pins") || "").split(";").filter(Boolean).slice(0, 2).map((p) => {
      if (/^c\d{1,9}$/.test(p)) return +p.slice(1) < D.n ? { code: +p.slice(1) } : null;
      const z = numbers(p, 2);
      return z ? { z: V.within(z) } : null;
    }).filter(Boolean);
  }

  return { text, read, schedule, writes: () => writes };
})();
