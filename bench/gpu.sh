#!/bin/sh
# The prepared GPU run (one call on a lent device machine, whose python3 has jax with CUDA):
#   sh bench/gpu.sh [out_dir]      (default: $OUT, else bench/out/gpu)
# 1. the card and versions; 2. the default recipe at 1 to 65,536 seeds (bench.scaling, the
# GPU's default float32 matmul precision); 3. two rows again at full float32 precision;
# 4. the training core's tests on the GPU. Each part has its own time limit, so the table
# comes back even if a later part runs long. Logs and the figure go to out_dir.
OUT=${1:-${OUT:-bench/out/gpu}}  # not bench/out: the second scaling run redraws scaling.png there
# 65,536 seeds would take an hour on a CPU: stop at once when python3's jax sees no GPU
python3 -c "import jax, sys; sys.exit(jax.devices()[0].platform == 'cpu')" 2>/dev/null || {
  echo "bench/gpu.sh: python3's jax sees no GPU (install jax with CUDA); on a CPU use" \
       "python -m bench.scaling" >&2; exit 2; }
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.sm --format=csv
python3 -c "import jax, optax, numpy; print('jax', jax.__version__, 'optax', optax.__version__,
'numpy', numpy.__version__, jax.devices())"
timeout 330 python3 -m bench.scaling --tables=seeds --repeat=3 \
  --seed_counts=1,4,16,64,256,1024,4096,16384,65536 2>&1 | tee "$OUT/scaling.log"
cp bench/out/scaling.png "$OUT/" 2>/dev/null
JAX_DEFAULT_MATMUL_PRECISION=highest timeout 80 python3 -m bench.scaling --tables=seeds \
  --repeat=3 --seed_counts=4096,16384 2>&1 | tee "$OUT/scaling_highest.log"
JAX_DEFAULT_MATMUL_PRECISION=highest timeout 100 python3 -m pytest -q -p no:cacheprovider \
  tests/test_train.py 2>&1 | tee "$OUT/pytest_train.log" | tail -15
