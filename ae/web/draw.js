// Drawing on canvases: glyph tiles, closed shapes, colours and axis ticks. No state.
"use strict";

const Draw = (() => {
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

  // A glyph as rows x cols pixel tiles: grey by value (1 = black), or black where > 0.5
  // (threshold); `marks` (optional, per pixel) outlines the pixels that differ in red.
  function glyph(ctx, values, shape, x, y, w, h, threshold, marks) {
    const [rows, cols] = shape;
    const [bx, by, bw, bh] = box(rows, cols, x, y, w, h);
    const s = bw / cols;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const v = values[r * cols + c];
        const p = threshold ? (v > 0.5 ? 1 : 0) : Math.min(1, Math.max(0, v));
        const g = Math.round(255 * (1 - p));
        ctx.fillStyle = `rgb(${g},${g},${g})`;
        ctx.fillRect(bx + c * s, by + r * s, Math.ceil(s), Math.ceil(s));
      }
    }
    if (marks) {
      ctx.strokeStyle = "#d62728";
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

  // Colour k of n classes: Tableau 10, then evenly spaced hues.
  const TAB10 = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                 "#7f7f7f", "#bcbd22", "#17becf"];
  function colour(k, n) {
    return n <= 10 ? TAB10[k % 10] : `hsl(${Math.round(360 * k / n)}, 65%, 45%)`;
  }

  // A sequential colour for t in [0, 1] (dark blue to yellow, like viridis).
  function ramp(t) {
    return `hsl(${Math.round(250 - 190 * t)}, 70%, ${Math.round(30 + 30 * t)}%)`;
  }

  // About `count` round tick values between lo and hi.
  function ticks(lo, hi, count) {
    const raw = (hi - lo) / Math.max(1, count);
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw);
    const out = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi; v += step) {
      out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
    }
    return { values: out, digits: Math.max(0, -Math.floor(Math.log10(step))) };
  }

  return { fit, box, glyph, shape, colour, ramp, ticks };
})();
