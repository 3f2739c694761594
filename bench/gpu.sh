#!/bin/sh
# The prepared GPU run (one call on a lent device machine, whose python3 has jax with CUDA):
#   sh bench/gpu.sh [out_dir]      (default: $OUT, else bench/out/gpu)
# 1. the card and versions; 2. the default recipe at 1 to 65,536 seeds (bench.scaling, the
# GPU's default float32 matmul precision); 3. --layout=rows against columns at 16,384 seeds
# (bench.layout); 4. the tests of the training core, ae.tanh and the layouts, slow ones too,
# on the GPU at full float32 precision (TF32, the default, moves sums past the tolerances).
# Each part has its own time limit, so the table comes back even if a later part runs long.
# Logs and the figure go to out_dir. Only the tests: sh bench/gpu.sh out_dir tests
OUT=${1:-${OUT:-bench/out/gpu}}  # not bench/out: the scaling run redraws scaling.png there
# 65,536 seeds would take an hour on a CPU: stop at once when python3's jax sees no GPU
python3 -c "import jax, sys; sys.exit(jax.devices()[0].platform == 'cpu')" 2>/dev/null || {
  echo "bench/gpu.sh: python3's jax sees no GPU (install jax with CUDA); on a CPU use" \
       "python -m bench.scaling" >&2; exit 2; }
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
[ "$2" = tests ] || {
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.sm --format=csv
python3 -c "import jax, optax, numpy; print('jax', jax.__version__, 'optax', optax.__version__,
'numpy', numpy.__version__, jax.devices())"
timeout 300 python3 -m bench.scaling --tables=seeds --repeat=3 \
  --seed_counts=1,4,16,64,256,1024,4096,16384,65536 2>&1 | tee "$OUT/scaling.log"
cp bench/out/scaling.png "$OUT/" 2>/dev/null
timeout 100 python3 -m bench.layout --nets=default --batched_seeds=16384 --repeat=3 2>&1 |
  tee "$OUT/layout.log"
}
# one process, no -n: two pytest workers would each claim most of the GPU's memory
JAX_DEFAULT_MATMUL_PRECISION=highest timeout 120 python3 -m pytest -q -p no:cacheprovider \
  -m "slow or not slow" tests/test_train.py tests/test_tanh.py tests/test_layout.py 2>&1 |
  tee "$OUT/pytest.log" | tail -15
