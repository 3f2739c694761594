// Drawing on canvases: glyph tiles, closed shapes, colours that read on white, axis ticks.
// No state.
LX.draw = (() => {
  "use strict";

  // A canvas sized to its CSS box at the screen's pixel density; draws in CSS pixels.
  function fit(canvas) {
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth;
    const h = canvas.clientHeight;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
    }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    return { ctx, w, h };
  }

  // The largest box of aspect rows:cols inside (w, h), centred: [x, y, width, height].
  function box(rows, cols, x, y, w, h) {
    const s = Math.min(w / cols, h / rows);
    return [x + (w - s * cols) / 2, y + (h - s * rows) / 2, s * cols, s * rows];
  }

  // The grey of a pixel value p in [0, 1] (1 = black): 255 (1 - p), rounded.
  const grey = (p) => Math.round(255 * (1 - p));

  // A glyph as rows x cols pixel tiles: grey by value (1 = black), or black where > 0.5
  // (threshold); `marks` (optional, per pixel) outlines the pixels that differ in red.
  function glyph(ctx, values, shape, x, y, w, h, threshold, marks) {
    const [rows, cols] = shape;
    const [bx, by, bw, bh] = box(rows, cols, x, y, w, h);
    const s = bw / cols;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const v = values[r * cols + c];
        const g = grey(threshold ? (v > 0.5 ? 1 : 0) : Math.min(1, Math.max(0, v)));
        ctx.fillStyle = `rgb(${g},${g},${g})`;
        ctx.fillRect(bx + c * s, by + r * s, Math.ceil(s), Math.ceil(s));
      }
    }
    if (marks) {
      ctx.strokeStyle = MARK;
      ctx.lineWidth = Math.max(1, s / 8);
      for (let i = 0; i < marks.length; i++) {
        if (marks[i]) {
          const r = Math.floor(i / cols);
          const c = i % cols;
          ctx.strokeRect(bx + c * s + ctx.lineWidth / 2, by + r * s + ctx.lineWidth / 2,
                         s - ctx.lineWidth, s - ctx.lineWidth);
        }
      }
    }
    ctx.strokeStyle = "#bbb";
    ctx.lineWidth = 1;
    ctx.strokeRect(bx, by, bw, bh);
  }

  // A closed shape of points (x, y interleaved) in a square of half-width lim around 0.
  function shape(ctx, flat, x, y, w, h, lim, colour, width) {
    const [bx, by, bw] = box(1, 1, x, y, w, h);
    const px = (v) => bx + (v / lim + 1) * bw / 2;
    const py = (v) => by + (1 - v / lim) * bw / 2;
    ctx.beginPath();
    for (let i = 0; i < flat.length / 2; i++) {
      const f = i ? ctx.lineTo : ctx.moveTo;
      f.call(ctx, px(flat[2 * i]), py(flat[2 * i + 1]));
    }
    ctx.closePath();
    ctx.strokeStyle = colour;
    ctx.lineWidth = width || 1.5;
    ctx.stroke();
    return { px, py, scale: bw / 2 / lim };
  }

  // --- colours: every colour drawn as text or a mark reads at 4.5:1 on white (WCAG AA) ---
  const luminance = ([r, g, b]) => {
    const lin = (c) => { const v = c / 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  const contrast = (rgb) => 1.05 / (luminance(rgb) + 0.05);   // against white
  function readable(rgb) {   // darkened in small steps until it reads at 4.5:1
    let c = rgb;
    while (contrast(c) < 4.5) c = c.map((v) => Math.floor(v * 0.94));
    return `rgb(${c.join(",")})`;
  }
  function hsl(h, s, l) {
    const a = s * Math.min(l, 1 - l);
    const f = (n) => { const k = (n + h / 30) % 12; return l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1)); };
    return [f(0), f(8), f(4)].map((v) => Math.round(255 * v));
  }
  const hex = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
  const INK = "#1b1b1f";     // labels and legend text
  const TICK = "#595959";    // axis numbers (7:1 on white)
  const MARK = "#c0392b";    // pins, wrong pixels, the decoded circle (5.4:1)
  // Tableau 10, each darkened where it would not read (orange, olive, cyan, ...).
  const TAB10 = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                 "#7f7f7f", "#bcbd22", "#17becf"].map((h) => readable(hex(h)));
  // Colour k of n classes: Tableau 10, then evenly spaced hues.
  function colour(k, n) {
    return n <= 10 ? TAB10[k % 10] : readable(hsl(360 * k / n, 0.65, 0.45));
  }
  // A sequential colour for t in [0, 1] (dark blue through green to olive, like viridis).
  const ramp = (t) => readable(hsl(250 - 190 * t, 0.7, 0.3 + 0.3 * t));

  // About `count` round tick values between lo and hi; never more than count + 3, whatever
  // the numbers (a far-away view loses the step in float rounding).
  function ticks(lo, hi, count) {
    const raw = (hi - lo) / Math.max(1, count);
    if (!(raw > 0) || !Number.isFinite(raw)) return { values: [], digits: 0 };
    const mag = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) || 10 * mag;
    const first = Math.ceil(lo / step);
    const out = [];
    for (let i = 0; i <= count + 2; i++) {
      const v = (first + i) * step;
      if (v > hi) break;
      out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
    }
    return { values: out, digits: Math.min(20, Math.max(0, -Math.floor(Math.log10(step)))) };
  }

  return { fit, box, grey, glyph, shape, colour, ramp, ticks, contrast, INK, TICK, MARK };
})();
