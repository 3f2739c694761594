"""ae: small autoencoders on 5x7 font glyphs, as pure JAX functions."""

import re

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
    return str(self.args[0]) if self.args else ""

  def __str__(self):
    return _FLAG.sub("", self.flag_message)
