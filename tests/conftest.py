"""Test-wide JAX settings: two CPU devices (the seed-sharded path of train.fit_seeds runs) and
strict numerics: implicit rank promotion raises."""
import os
import sys

import jax

jax.config.update("jax_num_cpu_devices", 2)
jax.config.update("jax_numpy_rank_promotion", "raise")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FONT_H = os.path.join(ROOT, "..", "shared", "reference", "font.h")
sys.path.insert(0, ROOT)
