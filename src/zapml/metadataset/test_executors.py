import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from zapml.metadataset.cell import CellJob, evaluate_cell
from zapml.metadataset.conftest import CORE_A
from zapml.metadataset.executors import InlineExecutor, LocalExecutor, RayExecutor, run_all
from zapml.metadataset.tasks import TaskSpec
from zapml.metadataset.testing import crashing_fit, flaky_fit, synthetic_alc, synthetic_fit
from zapml.space import Pipeline, default_pipeline


def _jobs(fn, lrs=(0.001, 0.02, 0.003, 0.09)):
    task = TaskSpec(core="syna", source=CORE_A, seed=0)
    base = default_pipeline()
    return [
        CellJob(
            key=f"k{i}",
            task=task,
            pipeline=base.replace(lr=lr).to_dict(),
            seed=0,
            budget=1.0,
            clock="compute",
            cell_fn=fn,
        )  # fmt: skip
        for i, lr in enumerate(lrs)
    ]


def _collect(executor, jobs):
    out = {}
    try:
        run_all(executor, evaluate_cell, jobs, lambda j, r, e: out.__setitem__(j.key, (r, e)))
    finally:
        executor.shutdown()
    return out


def test_inline_failures_are_results_not_exceptions():
    out = _collect(InlineExecutor(), _jobs(flaky_fit))
    statuses = {k: r.status for k, (r, _) in out.items()}
    assert statuses == {"k0": "ok", "k1": "failed", "k2": "ok", "k3": "failed"}
    assert "FloatingPointError: loss diverged" in out["k1"][0].error
    r0 = out["k0"][0]
    expected = synthetic_alc("0-syna", Pipeline(_jobs(flaky_fit)[0].pipeline).id, 0)
    assert r0.alc == pytest.approx(expected)
    assert r0.curve[-1][1] == pytest.approx(expected)
    assert "numpy" in r0.versions


def test_local_pool_runs_in_other_processes():
    out = _collect(LocalExecutor(2), _jobs(synthetic_fit))
    assert all(r.status == "ok" and e is None for r, e in out.values())
    pids = {r.worker.split(":")[1] for r, _ in out.values()}
    assert str(os.getpid()) not in pids


def test_a_killed_worker_fails_its_cell_and_the_pool_recovers():
    # lr 0.09 makes crashing_fit kill its worker process (as the OOM killer would)
    out = _collect(LocalExecutor(2), _jobs(crashing_fit, lrs=(0.001, 0.09, 0.002, 0.003, 0.004)))
    assert len(out) == 5
    r, err = out["k1"]
    assert r is None and "worker process died" in str(err)
    assert all(out[k][0].status == "ok" for k in ("k0", "k2", "k3", "k4"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_ray_cluster_on_loopback(tmp_path):
    """A real two-CPU Ray head started with `ray start`, cells sent through it, then stopped."""
    ray = pytest.importorskip("ray")
    ray_bin = shutil.which("ray") or str(Path(sys.executable).parent / "ray")
    port = _free_port()
    temp_dir = Path("/tmp") / f"zr{os.getpid()}"  # short: Ray's socket paths must stay < 108 chars
    cmd = [ray_bin, "start", "--head", "--port", str(port), "--num-cpus", "2",
           "--node-ip-address", "127.0.0.1", "--include-dashboard", "false",
           "--disable-usage-stats", "--temp-dir", str(temp_dir), "--block"]  # fmt: skip
    # --block keeps the head's processes under this one process group, so the test can end
    # exactly the cluster it started (never `ray stop`, which would hit other users' clusters)
    head = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        address = f"127.0.0.1:{port}"
        deadline = time.time() + 90
        while True:
            try:
                ex = RayExecutor(address=address)
                break
            except Exception:
                if time.time() > deadline or head.poll() is not None:
                    raise
                time.sleep(2)
        assert ex.slots == 4  # 2 CPUs
        out = _collect(ex, _jobs(flaky_fit))
        assert not ray.is_initialized()
        assert {k: r.status for k, (r, _) in out.items()} == {
            "k0": "ok", "k1": "failed", "k2": "ok", "k3": "failed"
        }  # fmt: skip
        assert len({r.worker for r, _ in out.values()}) >= 1
    finally:
        os.killpg(head.pid, 15)
        try:
            head.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(head.pid, 9)
            head.wait(timeout=10)
        shutil.rmtree(temp_dir, ignore_errors=True)
