"""ae: small autoencoders on 5x7 font glyphs, as pure JAX functions."""


class InputError(ValueError):
  """Bad user input (flag, file, glyph): reported as one line before any work starts."""
