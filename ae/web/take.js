// Take the decoded glyph away: its point, the command that decodes it again without training,
// its row in the course's font.h format and in the project's text font format
// (ae/fonts/README.md), and a PNG. Each acts on what the decoded panel shows.
LX.take = (() => {
  "use strict";
  const D = LX.data;
  const V = LX.view;
  const $ = (id) => document.getElementById(id);
  const PNG_PX = 24;       // screen pixels per glyph pixel in the PNG

  // The point as exported: 6 significant digits, and every export decodes at exactly it.
  const point = (z) => z.map((v) => +v.toPrecision(6));
  const bits = (out) => Array.from(out, (v) => (v > 0.5 ? 1 : 0));

  // The point in the seed's own frame (what --decode reads), decoded there.
  function exported() {
    const z = point(V.toSeed(LX.state.seed, V.current()));
    const out = V.decodeOwn(LX.state.seed, z);
    const near = D.glyphs ? LX.model.nearest(D.x, D.n, D.d, out) : null;
    return { z, seed: D.seeds[LX.state.seed].seed, out, near, label: near && D.labels[near.index] };
  }

  // The run directory this page lies in (a file:// page knows it), else a placeholder.
  function runDir() {
    if (location.protocol === "file:") {
      return decodeURIComponent(location.pathname).replace(/\/[^/]*$/, "") || "/";
    }
    return "<the run's directory>";
  }
  const shellWord = (s) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);

  function command(e) {
    const exp = D.run && D.run.decode;   // the experiment whose --load decodes points
    if (!exp) return null;
    return `python -m experiments.${exp} --load=${shellWord(runDir())} `
      + `--decode="${e.z.join(",")}" --decode_seed=${e.seed}`;
  }

  // The glyph's code point and name for the text font: a copy keeps its glyph's character;
  // a new glyph takes U+E000 (private use), named by where it was decoded.
  function naming(e) {
    const where = `decoded at (${e.z.join(", ")}), seed ${e.seed}`;
    const lab = e.label;
    const copy = e.near.hamming === 0 && [...lab].length === 1;
    return copy ? { code: lab.codePointAt(0), note: `${lab} (a copy, ${where})`, where }
                : { code: 0xe000, note: `${where}: ${e.near.hamming} px from ${JSON.stringify(lab)}`, where };
  }

  // One row of the course's font.h: each pixel row an integer, the leftmost pixel its
  // highest bit, in hex; the label in the course's comment form when it copies a glyph.
  function fontH(e) {
    const [rows, cols] = D.shape;
    const b = bits(e.out);
    const digits = Math.max(2, Math.ceil(cols / 4));
    const ints = [];
    for (let r = 0; r < rows; r++) {
      let hex = "";
      for (let c0 = cols - 4 * digits; c0 < cols; c0 += 4) {   // 4 bits per hex digit
        let nib = 0;
        for (let c = c0; c < c0 + 4; c++) nib = 2 * nib + (c >= 0 ? b[r * cols + c] : 0);
        hex += nib.toString(16);
      }
      ints.push(`0x${hex}`);
    }
    const nm = naming(e);
    const note = nm.code === 0xe000 ? nm.note
      : `0x${nm.code.toString(16).padStart(2, "0")}, ${e.label}   (a copy, ${nm.where})`;
    return `{${ints.join(", ")}},   // ${note}`;
  }

  function fontText(e) {
    const [rows, cols] = D.shape;
    const b = bits(e.out);
    const nm = naming(e);
    const lines = [`glyph 0x${nm.code.toString(16).padStart(2, "0")} ${nm.note}`];
    for (let r = 0; r < rows; r++) {
      lines.push(b.slice(r * cols, (r + 1) * cols).map((v) => (v ? "#" : ".")).join(""));
    }
    return lines.join("\n");
  }

  function png(e) {
    const [rows, cols] = D.shape;
    const c = document.createElement("canvas");
    c.width = cols * PNG_PX;
    c.height = rows * PNG_PX;
    const ctx = c.getContext("2d");
    for (let i = 0; i < rows * cols; i++) {
      const g = LX.draw.grey(LX.state.threshold ? +(e.out[i] > 0.5) : Math.min(1, Math.max(0, e.out[i])));
      ctx.fillStyle = `rgb(${g},${g},${g})`;
      ctx.fillRect((i % cols) * PNG_PX, Math.floor(i / cols) * PNG_PX, PNG_PX, PNG_PX);
    }
    return c.toDataURL("image/png");
  }

  // Shows the text (it can always be selected by hand) and copies it where the browser lets.
  function offer(what, textOf) {
    const text = textOf(exported());
    $("take-out").textContent = text;
    const done = (ok) => { $("take-status").textContent = ok ? `${what} copied` : `${what}: select and copy`; };
    try {
      navigator.clipboard.writeText(text).then(() => done(true), () => done(fallback(text)));
    } catch (err) {
      done(fallback(text));
    }
  }
  function fallback(text) {
    const area = document.createElement("textarea");
    area.value = text;
    document.body.append(area);
    area.select();
    let ok = false;
    try { ok = document.execCommand("copy"); } catch (err) { ok = false; }
    area.remove();
    return ok;
  }

  function wire() {
    $("take-point").addEventListener("click", () => offer("point", (e) => e.z.join(",")));
    $("take-command").addEventListener("click", () => offer("command", command));
    $("take-fonth").addEventListener("click", () => offer("font.h row", fontH));
    $("take-text").addEventListener("click", () => offer("font text", fontText));
    $("take-png").addEventListener("click", (ev) => {
      const e = exported();
      ev.currentTarget.href = png(e);   // set before the browser follows the link
      ev.currentTarget.download = `glyph_${e.z.join("_")}_seed${e.seed}.png`;
      $("take-status").textContent = "PNG saved";
    });
    if (!D.glyphs) for (const id of ["take-fonth", "take-text", "take-png"]) $(id).hidden = true;
    if (!command({ z: [0, 0], seed: 0 })) $("take-command").hidden = true;
  }

  return { wire, exported, command, fontH, fontText, png, PNG_PX };
})();
