"""Debian's Firefox (firefox-esr), driven offline over WebDriver BiDi: the browser's own remote
protocol on a local websocket, with no driver to download. Enough of it for a smoke test:
open a page, evaluate script, move and press the mouse, collect the page's errors.

  with Firefox() as ff:
    ff.open("/path/to/explorer.html")
    ff.evaluate("window.explorer.seeds()")
"""
import json
import os
import re
import shutil
import subprocess
import tempfile

import pytest

NAMES = ("firefox-esr", "firefox")
# No updates, telemetry or first-run pages: the machine has no network to reach.
PREFS = ("app.update.enabled", "datareporting.policy.dataSubmissionEnabled",
         "toolkit.telemetry.enabled", "network.captive-portal-service.enabled",
         "browser.shell.checkDefaultBrowser", "browser.aboutwelcome.enabled")


def missing():
  """Why the Firefox test cannot run here, or None."""
  try:
    import websockets.sync.client  # noqa: F401  pylint: disable=g-import-not-at-top,unused-import
  except ImportError:
    return "websockets is not installed (pip install -e '.[test]')"
  if not any(map(shutil.which, NAMES)):
    return "no Firefox found (apt-get install -y --no-install-recommends firefox-esr)"
  return None


class Firefox:
  """A headless Firefox and one BiDi session; errors the pages log collect in .errors."""

  def __enter__(self):
    from websockets.sync.client import connect  # pylint: disable=g-import-not-at-top
    self.profile = tempfile.mkdtemp(prefix="ff-")
    with open(os.path.join(self.profile, "user.js"), "w", encoding="utf-8") as f:
      f.writelines(f'user_pref("{p}", false);\n' for p in PREFS)
    exe = next(p for p in map(shutil.which, NAMES) if p)
    self.proc = subprocess.Popen(
        [exe, "--headless", "--no-remote", "--remote-debugging-port=0", "--profile",
         self.profile], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = None
    for line in self.proc.stderr:   # the port is chosen by the browser and printed
      m = re.search(r"WebDriver BiDi listening on (ws://\S+)", line)
      if m:
        url = m.group(1)
        break
    self.ws = None
    if url is None:
      self.__exit__(None, None, None)
      pytest.fail("Firefox did not start its WebDriver BiDi server")
    self.ws = connect(url + "/session", max_size=None, open_timeout=30).__enter__()
    self.n = 0
    self.errors = []
    self.call("session.new", {"capabilities": {}})
    self.call("session.subscribe", {"events": ["log.entryAdded"]})
    self.context = self.call("browsingContext.getTree", {})["contexts"][0]["context"]
    return self

  def __exit__(self, *exc):
    if getattr(self, "ws", None) is not None:
      self.ws.__exit__(None, None, None)
    self.proc.kill()
    self.proc.wait(timeout=30)
    shutil.rmtree(self.profile, ignore_errors=True)

  def call(self, method, params, timeout=30):
    self.n += 1
    self.ws.send(json.dumps({"id": self.n, "method": method, "params": params}))
    while True:
      msg = json.loads(self.ws.recv(timeout=timeout))
      if msg.get("method") == "log.entryAdded" and msg["params"].get("level") == "error":
        self.errors.append(msg["params"].get("text"))
      if msg.get("id") == self.n:
        if msg.get("type") == "error":
          raise RuntimeError(f"{method}: {msg.get('error')}: {msg.get('message')}")
        return msg["result"]

  def open(self, path, hash_=""):
    self.call("browsingContext.navigate", {"context": self.context, "wait": "complete",
                                           "url": f"file://{path}{hash_}"})

  def evaluate(self, expression):
    """The value of a JavaScript expression, through JSON."""
    r = self.call("script.evaluate", {"expression": f"JSON.stringify({expression})",
                                      "target": {"context": self.context},
                                      "awaitPromise": True})
    if r["type"] != "success":
      raise RuntimeError(f"{expression}: {r.get('exceptionDetails', {}).get('text')}")
    return json.loads(r["result"]["value"])

  def mouse(self, actions):
    """Mouse actions: ("move", x, y), ("down",), ("up",), ("pause", ms); viewport pixels."""
    steps = []
    for a in actions:
      if a[0] == "move":
        steps.append({"type": "pointerMove", "x": int(round(a[1])), "y": int(round(a[2])),
                      "origin": "viewport"})
      elif a[0] == "pause":
        steps.append({"type": "pause", "duration": a[1]})
      else:
        steps.append({"type": f"pointer{a[0].title()}", "button": 0})
    self.call("input.performActions", {"context": self.context, "actions": [
        {"type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"},
         "actions": steps}]})
