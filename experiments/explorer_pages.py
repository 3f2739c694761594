"""The explorer page of a run (ae/explorer.py) for each experiment's model, and the
`explorer_seeds` field every experiment with a latent plane shares."""
import numpy as np

from ae import InputError, explorer
from ae.fields import field

FILE = "explorer.html"


def seeds_field():
  """The explorer_seeds config field (a new Field per dataclass)."""
  return field(explorer.DEFAULT_SEEDS, "Seeds explorer.html shows: the best, the median, then "
               f"the others in seed order (0..{explorer.MAX_SEEDS}; 0: no page).", "experiment")


def check(config):
  if not 0 <= config.explorer_seeds <= explorer.MAX_SEEDS:
    raise InputError(f"--explorer_seeds must be in 0..{explorer.MAX_SEEDS}, got "
                     f"{config.explorer_seeds}")


def glyph_data(glyphs):
  """The explorer page's samples from a data.Glyphs."""
  return {"kind": "glyphs", "labels": glyphs.shown, "x": glyphs.x, "shape": glyphs.shape,
          "title": glyphs.title, "classes": glyphs.classes}


def _none(why):
  return {"file": None, "why": why}


def _shown(config, metrics, latent_dim):
  """Seed indices to show, or the reason for no page."""
  if latent_dim != 2:
    return _none(f"the latent space is {latent_dim}-D; the page explores a 2-D one")
  if config.explorer_seeds == 0:
    return _none("--explorer_seeds=0")
  picked = explorer.pick(metrics, config.explorer_seeds)
  return picked if picked else _none("every seed diverged")


def autoencoder_page(run_dir, config, params, metrics, data):
  """explorer.html of an MLP autoencoder run; data: dict(kind, labels, x, shape, title,
  classes=None, decode=None) with x the training samples and decode the experiment whose
  --load decodes a point again. Returns the metrics' "explorer" entry."""
  from ae import autoencoder, train  # pylint: disable=g-import-not-at-top  (JAX)
  picked = _shown(config, metrics, config.model.latent_dim)
  if isinstance(picked, dict):
    return picked
  tags = explorer.tags(metrics)
  seeds = []
  for i in picked:
    p = train.seed_params(params, i)
    seeds.append(explorer.Seed(
        metrics["per_seed"][i]["seed"], tags.get(i, ""),
        explorer.autoencoder_decoder(config.model, p),
        np.asarray(autoencoder.encode(config.model, p, data["x"])),
        note=note(metrics["per_seed"][i])))
  return _write(run_dir, data, seeds, prior=False,
                subtitle=f"autoencoder {'-'.join(map(str, config.model.arch))}, "
                         f"loss {config.model.loss}")


def vae_page(run_dir, config, params, metrics, data, mu, logvar):
  """explorer.html of a VAE run: the posterior means mu (seeds, n, k) as codes, with their
  one-std ellipses from logvar, and the prior's circles."""
  from ae import train  # pylint: disable=g-import-not-at-top  (JAX)
  cfg = config.model
  picked = _shown(config, metrics, cfg.latent_dim)
  if isinstance(picked, dict):
    return picked
  tags = explorer.tags(metrics)
  seeds = [explorer.Seed(metrics["per_seed"][i]["seed"], tags.get(i, ""),
                         explorer.vae_decoder(cfg, train.seed_params(params, i)),
                         np.asarray(mu[i]), np.asarray(logvar[i]),
                         note=note(metrics["per_seed"][i])) for i in picked]
  return _write(run_dir, data, seeds, prior=True,
                subtitle=f"VAE, {cfg.likelihood} likelihood, beta {cfg.beta:g}; ellipses: "
                         "each code's posterior std; dashed: the prior's 1 and 2 std")


def note(row):
  """A seed's result for the page's seed menu: its worst glyph, else its reconstruction RMSE."""
  if row.get("max_pixel_error") is not None:
    return f"worst glyph {row['max_pixel_error']:g} px"
  if row.get("recon_rmse") is not None:
    return f"RMSE {row['recon_rmse']:.3g}"
  return ""


def _write(run_dir, data, seeds, prior, subtitle):
  explorer.write(run_dir / FILE, data["title"], data["kind"], data["labels"], data["x"],
                 data["shape"], seeds, data.get("classes"), prior, subtitle, data.get("decode"),
                 data.get("band"))
  return {"file": FILE, "seeds": [s.seed for s in seeds]}
