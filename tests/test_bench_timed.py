"""bench.timed: a command's CPU, its children included; bench.least: the ratio that CPU allows."""
import pytest

import bench

# A process that forks a child, which spins for 0.4 s of CPU, and waits for it.
_CHILD_SPINS = """
import os, time
pid = os.fork()
if pid == 0:
  end = time.process_time() + 0.4
  while time.process_time() < end:
    pass
  os._exit(0)
os.waitpid(pid, 0)
"""


def test_the_cpu_of_a_command_counts_the_processes_it_waited_for():
  wall_s, cpu = bench.timed(["-c", _CHILD_SPINS])
  assert cpu >= 0.4   # the child's spin, which the parent itself never ran
  assert wall_s >= 0.4


def test_a_failing_command_is_an_error():
  with pytest.raises(RuntimeError, match="exit 3"):
    bench.timed(["-c", "import sys; sys.exit(3)"])


@pytest.mark.parametrize("floor, cpu, floor_cpu, n, want", [
    (1.0, 1.0, 1.0, 2, 1.0),   # the floor's own work
    (1.0, 5.0, 1.0, 2, 3.0),   # 4 s more spread over 2 cores: 2 s after the floor
    (2.0, 5.0, 1.0, 4, 1.5),
    (1.0, 0.5, 1.0, 2, 1.0),   # less than the floor's work: never below the floor
])
def test_least_ratio(floor, cpu, floor_cpu, n, want):
  assert bench.least(floor, cpu, floor_cpu, n) == pytest.approx(want)
