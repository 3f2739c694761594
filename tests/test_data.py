"""Data: shipped fonts vs font.h, the header parser, numpy files, text fonts, subsets."""
import os
import re

import numpy as np
import pytest

from ae import InputError, data
from conftest import FONT_H, ROOT

DATA_FONT_H = os.path.join(ROOT, "data", "font.h")


def bits(rows, width=5):
  """Naive reference: row integers -> flat 0/1 list, leftmost pixel = highest bit."""
  return [int(c) for r in rows for c in format(r, f"0{width}b")]


def test_known_glyphs():
  f1, f2, f3 = (data.load(f"font{i}") for i in (1, 2, 3))
  a = f2.x[f2.chars.index("A")]
  assert a.tolist() == bits([0x04, 0x0A, 0x11, 0x11, 0x1F, 0x11, 0x11])
  assert f1.x[f1.chars.index(" ")].sum() == 0
  assert f3.x[f3.chars.index("\x7f")].tolist() == [1] * 35
  assert f1.x[f1.chars.index("0")].tolist() == bits([0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E])
  assert f2.chars[7] == "G" and f2.chars[28] == "\\"  # the two comment typos of font.h
  for f, first in ((f1, 0x20), (f2, 0x40), (f3, 0x60)):
    assert f.x.shape == (32, 35) and f.shape == (7, 5)
    assert f.chars == tuple(chr(first + i) for i in range(32))


def test_shipped_fonts_are_what_the_header_reader_reads_from_data_font_h():
  """data/font.h is the course's file; the package's fonts must be its glyphs, bit for bit,
  with its labels. A naive reading (every '{0x..' line one glyph, in order) is the reference
  for the bits; the project's header reader must agree with it and with the shipped labels."""
  text = open(DATA_FONT_H, encoding="ascii").read()
  glyphs = [re.findall(r"0x[0-9a-fA-F]+", line.split("//")[0])
            for line in text.splitlines() if re.match(r"\s*\{0x", line)]
  assert len(glyphs) == 96
  ref = np.array([bits([int(v, 16) for v in g]) for g in glyphs], dtype=np.float32)
  shipped = [data.load(f"font{i}") for i in (1, 2, 3)]
  np.testing.assert_array_equal(np.concatenate([f.x for f in shipped]), ref)
  read = data.load(DATA_FONT_H)
  np.testing.assert_array_equal(read.x, ref)
  assert read.chars == sum((f.chars for f in shipped), ())
  for i, f in enumerate(shipped, 1):   # one array by name: the same glyphs and labels
    one = data.load(f"{DATA_FONT_H}:Font{i}")
    np.testing.assert_array_equal(one.x, f.x)
    assert one.chars == f.chars and one.shape == f.shape == (7, 5)


@pytest.mark.skipif(not os.path.exists(FONT_H), reason="../shared/reference/font.h not present")
def test_data_font_h_is_the_course_file_byte_for_byte():
  with open(FONT_H, "rb") as a, open(DATA_FONT_H, "rb") as b:
    assert a.read() == b.read()


HEADER = """
/* a block comment { with braces } */
const unsigned char Tiny[3][2] = {   // two rows per glyph
  {3, 0},      // 0x61, a
  { 0x1, /* inline */ 2 },   // no label
  {0b11, 017}  /* binary and C octal */
};
int Other[1][2] = {{255, 128}}; // 0x62, b
"""


def test_parser_decimal_hex_comments_several_arrays():
  g = data.parse_header(HEADER, width=8, name="h")
  assert g.shape == (2, 8) and len(g) == 4
  assert g.chars == ("a", "Tiny[1]", "Tiny[2]", "b")
  np.testing.assert_array_equal(g.x[0], bits([3, 0], 8))
  np.testing.assert_array_equal(g.x[1], bits([1, 2], 8))
  np.testing.assert_array_equal(g.x[2], bits([3, 15], 8))
  np.testing.assert_array_equal(g.x[3], bits([255, 128], 8))
  assert len(data.parse_header(HEADER, 8, "h", array="Tiny")) == 3


@pytest.mark.parametrize("text,width,match", [
    ("int F[1][2] = {{1, 64}};", 5, ":1: row value 64 does not fit"),
    ("int F[1][2] = {{1, -3}};", 5, "row value -3 is negative"),
    ("int x = 3;", 5, "no 2-D array"),
    ("int F[1][2] = {{1, zz}};", 5, "not an integer"),
    ("int F[2][2] = {{1, 2}, {1}};", 5, "declares 2 rows per glyph but glyph 1 has 1"),
    ("int F[][] = {{1, 2}, {1}};", 5, "different row counts"),
    # one '}' missing / one too many: never a silent 1-glyph load
    ("unsigned char F[2][7] = {\n {1,2,3,4,5,6,7},\n {1,2,3,4,5,6,7}\n;\n", 5,
     ":4: ';' inside the braces of F: a '}' is missing"),
    ("unsigned char F[2][7] = {\n {1,2,3,4,5,6,7}},\n {1,2,3,4,5,6,7}};\n", 5,
     ":2: expected ';' after the closing '}' of F"),
    ("unsigned char F[2][7] = {\n {1,2,3,4,5,6,7}\n", 5, ":1: the '{' of F is never closed"),
    ("unsigned char F[2][2] = {{1, 2}};", 5, "F declares 2 glyphs but holds 1"),
    ("int F[1][1] = {{}};", 5, "an empty glyph"),
    ("int F[1][2] = {{1, 2}};", 65, "glyph_width must be in 1..64"),
])
def test_parser_errors(text, width, match):
  with pytest.raises(InputError, match=match):
    data.parse_header(text, width, "bad.h")
  with pytest.raises(InputError, match="no array named"):
    data.parse_header(HEADER, 8, "h", array="Nope")


def test_public_header_labels_bit_order_and_repeats():
  text = """static const char f[4][2] = {
  { 0x01, 0x02 },   // U+0041 (A)
  { 0x00, 0x00 },   // U+0000 (nul)
  { 0x00, 0x00 },   // U+0001 (soh)
  { 0x01, 0x02 },   // U+00C4
};"""
  g = data.parse_header(text, width=4, name="pub.h", bit_order="lsb")
  assert g.chars == ("A", "nul", "soh", "\u00c4")
  # lsb: bit 0 is the leftmost pixel
  np.testing.assert_array_equal(g.x[0], [1, 0, 0, 0, 0, 1, 0, 0])
  msb = data.parse_header(text, width=4, name="pub.h")
  np.testing.assert_array_equal(msb.x[0], [0, 0, 0, 1, 0, 0, 1, 0])
  blank, dup = g.repeats()
  assert blank == [1, 2] and dup == {2: 1, 3: 0}
  assert g.shown == ("A", "nul", "", "") and "2 blank" in g.describe()
  assert "2 identical to an earlier glyph" in g.describe()


@pytest.mark.parametrize("make,match", [
    (lambda p: np.save(p, np.zeros((0, 35))), "non-empty"),
    (lambda p: np.save(p, np.zeros((4, 0))), "non-empty"),
    (lambda p: p.write_bytes(b""), "cannot read"),
    (lambda p: np.save(p, np.array([{"a": 1}], dtype=object), allow_pickle=True), "cannot read"),
])
def test_bad_numpy_files(tmp_path, make, match):
  p = tmp_path / "bad.npy"
  make(p)
  with pytest.raises(InputError, match=match) as e:
    data.load(str(p))
  assert "--arch" not in str(e.value)


def test_bad_npz_labels_and_text(tmp_path):
  x = np.ones((2, 6))
  np.savez(tmp_path / "a.npz", x=x, labels=np.array(3))
  with pytest.raises(InputError, match="'labels' must be 2"):
    data.load(str(tmp_path / "a.npz"))
  np.savez(tmp_path / "b.npz", x=x, labels=np.array([{"a": 1}, 2], dtype=object))
  with pytest.raises(InputError, match="cannot read"):
    data.load(str(tmp_path / "b.npz"))
  (tmp_path / "c.txt").write_bytes(b"glyph 0x41\n\xff\xfe#.\n")
  with pytest.raises(InputError, match="not UTF-8"):
    data.load(str(tmp_path / "c.txt"))
  f2 = data.load("font2")
  with pytest.raises(InputError, match="chars is empty"):
    data.select(f2, chars="")
  with pytest.raises(InputError, match="n_chars must be in 1..32"):
    data.select(f2, n_chars=0)


def test_numpy_files(tmp_path):
  imgs = (np.arange(4 * 3 * 2).reshape(4, 3, 2) % 3 == 0).astype(np.uint8)
  np.save(tmp_path / "a.npy", imgs)
  g = data.load(str(tmp_path / "a.npy"))
  assert g.shape == (3, 2) and g.x.shape == (4, 6) and g.chars == ("0", "1", "2", "3")
  np.testing.assert_array_equal(g.x, imgs.reshape(4, 6))
  np.savez(tmp_path / "b.npz", x=imgs.reshape(4, 6), labels=np.array(list("wxyz")))
  g = data.load(str(tmp_path / "b.npz"), glyph_width=2)
  assert g.shape == (3, 2) and g.chars == tuple("wxyz")
  np.save(tmp_path / "c.npy", imgs * 0.5)
  with pytest.raises(InputError, match="binary"):
    data.load(str(tmp_path / "c.npy"))
  (tmp_path / "d.npy").write_text("not numpy")
  with pytest.raises(InputError, match="cannot read"):
    data.load(str(tmp_path / "d.npy"))


def test_text_font_and_errors(tmp_path):
  p = tmp_path / "f.txt"
  p.write_text("; comment\nglyph 0x41 A\n#.\n.#\n\nglyph 0x20 space\n..\n..\n")
  g = data.load(str(p))
  assert g.chars == ("A", " ") and g.shape == (2, 2)
  np.testing.assert_array_equal(g.x, [[1, 0, 0, 1], [0, 0, 0, 0]])
  p.write_text("glyph 0x41\n#x\n")
  with pytest.raises(InputError, match="row of"):
    data.load(str(p))
  with pytest.raises(InputError, match="no such file"):
    data.load(str(tmp_path / "missing.h"))
  with pytest.raises(InputError, match="use font1"):
    data.load("font9")


@pytest.mark.parametrize("rows_b,said", [
    # a row one pixel short: its line, its glyph, the width the first glyph set
    ("#.\n.\n", r"f\.txt:6: a row of 1 pixels in glyph 'B' \(0x42\); the font's rows have 2, "
                  r"as the first glyph's \(line 1\)$"),
    # a row missing: the glyph's line
    ("#.\n", r"f\.txt:4: glyph 'B' \(0x42\) has 1 rows; the font's glyphs have 2, as the "
              r"first glyph's \(line 1\)$"),
    ("", r"f\.txt:4: glyph 'B' \(0x42\) has no rows of pixels$"),
])
def test_a_ragged_text_font_names_the_file_the_line_and_the_glyph(tmp_path, rows_b, said):
  p = tmp_path / "f.txt"
  p.write_text("glyph 0x41 A\n#.\n.#\nglyph 0x42 B\n" + rows_b)
  with pytest.raises(InputError, match=said):
    data.load(str(p))


def test_select():
  f2 = data.load("font2")
  s = data.select(f2, chars="CAB")
  assert s.chars == ("C", "A", "B")
  np.testing.assert_array_equal(s.x[1], f2.x[1])
  assert data.select(f2, n_chars=10).chars == tuple("@ABCDEFGHI")
  with pytest.raises(InputError, match="'a' not in font2"):
    data.select(f2, chars="Aa")
  with pytest.raises(InputError, match="n_chars"):
    data.select(f2, n_chars=33)
  with pytest.raises(InputError, match="either"):
    data.select(f2, chars="A", n_chars=3)
