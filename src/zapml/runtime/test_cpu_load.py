import importlib
import multiprocessing
import os
import time
from pathlib import Path

import pytest

from zapml.runtime import cpu_load
from zapml.runtime.cpu_load import CpuSample, others_between, sample

# the module: ``zapml.runtime.fit`` the attribute is the function of that name
fit = importlib.import_module("zapml.runtime.fit")


def test_sample_sums_the_work_columns_in_seconds(tmp_path, monkeypatch):
    stat = tmp_path / "stat"
    # user nice system idle iowait irq softirq steal guest guest_nice
    stat.write_text("cpu  100 20 30 5000 400 6 7 800 90 0\ncpu0 50 10 15 2500 200 3 3 400 45 0\n")
    monkeypatch.setattr(cpu_load.os, "sysconf", lambda name: 100)
    taken = sample(stat)
    assert taken is not None
    assert taken.busy == pytest.approx((100 + 20 + 30 + 6 + 7) / 100)  # 1.63 s


def test_sample_is_none_without_the_kernel_counters(tmp_path):
    assert sample(tmp_path / "missing") is None
    odd = tmp_path / "stat"
    odd.write_text("intr 1 2 3\n")
    assert sample(odd) is None


def test_others_are_busy_seconds_less_own_seconds_per_wall_second():
    start = CpuSample(wall=10.0, busy=100.0, own=5.0)
    end = CpuSample(wall=12.0, busy=103.5, own=6.5)  # 3.5 busy, 1.5 of them this process's
    assert others_between(start, end) == pytest.approx((3.5 - 1.5) / 2.0)
    assert others_between(start, CpuSample(11.0, 100.9, 6.0)) == 0.0  # ticks read apart
    with pytest.raises(ValueError, match="forward in time"):
        others_between(end, start)


def _spin(seconds: float) -> None:
    until = time.perf_counter() + seconds
    while time.perf_counter() < until:
        pass


def _cpu_seconds_of(pid: int) -> float:
    """A process's user + system CPU seconds, read from its own /proc entry."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.skipif(sample() is None, reason="no /proc/stat on this platform")
def test_a_busy_child_counts_and_this_processs_own_work_does_not():
    cpu_load.mark()
    _spin(0.8)  # this process busy, nobody else (beyond whatever the machine runs anyway)
    own_busy = cpu_load.others_busy_cores()
    child = multiprocessing.get_context("spawn").Process(target=_spin, args=(3.0,))
    child.start()
    try:
        time.sleep(1.0)  # the child is up and spinning
        assert child.pid is not None
        before, t0 = _cpu_seconds_of(child.pid), time.perf_counter()
        cpu_load.mark()
        time.sleep(0.8)  # this process idle, the child busy
        child_busy = cpu_load.others_busy_cores()
        child_share = (_cpu_seconds_of(child.pid) - before) / (time.perf_counter() - t0)
    finally:
        child.join()
    assert own_busy is not None and child_busy is not None
    assert child_share > 0.5  # the child did run (about a core on a machine with one free)
    # the child's work, as its own /proc entry counts it, is what the others grew by; this
    # process spinning in the first window added nothing
    assert child_busy - own_busy == pytest.approx(child_share, abs=0.25)


@pytest.mark.skipif(sample() is None, reason="no /proc/stat on this platform")
def test_a_stale_mark_is_replaced_by_a_fresh_window(monkeypatch):
    now = sample()
    assert now is not None
    cores = multiprocessing.cpu_count()
    # a mark 1000 s old whose counters read as twice the machine's capacity busy since then
    stale = CpuSample(now.wall - 1000.0, busy=now.busy - 2000.0 * cores, own=now.own)
    monkeypatch.setattr(cpu_load, "_window_start", stale)
    found = cpu_load.others_busy_cores()
    assert found is not None and found <= cores + 0.3


def test_free_threads_leave_the_cores_others_use(monkeypatch):
    monkeypatch.setattr(fit.os, "cpu_count", lambda: 8)
    monkeypatch.setattr(fit.torch, "get_num_threads", lambda: 8)
    for others, threads in [(0.0, 8), (0.4, 8), (1.0, 7), (2.6, 5), (7.9, 1), (12.0, 1)]:
        monkeypatch.setattr(fit, "others_load", lambda others=others: others)
        assert fit.free_threads() == threads


def test_others_load_falls_back_to_the_load_average(monkeypatch):
    monkeypatch.setattr(cpu_load, "others_busy_cores", lambda: None)
    monkeypatch.setattr(fit.os, "getloadavg", lambda: (3.25, 0.0, 0.0))
    assert fit.others_load() == pytest.approx(2.25)  # this process counted as one core
    monkeypatch.setattr(cpu_load, "others_busy_cores", lambda: 1.5)
    assert fit.others_load() == 1.5
