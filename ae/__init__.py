"""ae: small autoencoders on 5x7 font glyphs, as pure JAX functions."""

import re

MAX_CHARS = 320   # an error line at most about this long, whatever the input it quotes
# "--eta" in a message: a flag name for the command line, an argument name for Python.
_FLAG = re.compile(r"(?<![\w-])--(?=[a-z])")


class InputError(ValueError):
  """Bad user input (argument, file, glyph): reported as one line before any work starts.

  Messages are written naming command-line flags (``--eta``); ``str(e)`` names the argument
  (``eta``) for a Python caller, and the entry points print ``e.flag_message`` instead.

  >>> str(InputError("--eta must be positive, got -1"))
  'eta must be positive, got -1'
  >>> InputError("--eta must be positive, got -1").flag_message
  '--eta must be positive, got -1'
  """

  @property
  def flag_message(self):
    """The message naming flags; bounded: a long one keeps its head and its tail (the input
    it quotes is cut in the middle, never the flag or the advice)."""
    text = str(self.args[0]) if self.args else ""
    if len(text) <= MAX_CHARS:
      return text
    return f"{text[:200]} ...[{len(text) - 300:,} characters]... {text[-100:]}"

  def __str__(self):
    return _FLAG.sub("", self.flag_message)
