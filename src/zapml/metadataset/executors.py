"""Executors: where cell evaluations run. All hand back ``concurrent.futures.Future`` objects.

- ``InlineExecutor``: in the driver process (``workers=0``), for debugging and fast tests.
- ``LocalExecutor``: a spawn-started process pool (the default). Spawn, not fork: the driver
  holds an SQLite connection and maybe torch threads, neither of which survives a fork well.
- ``RayExecutor``: a Ray cluster (``address="host:port"``) or a fresh local Ray.

``run_all`` keeps a bounded number of jobs in flight and hands each result to the driver, which
is the only writer. A local worker killed from outside (out of memory) breaks the whole pool;
``run_all`` then restarts the pool and resubmits what was in flight, and a job that was in flight
during two crashes is reported as failed instead of taking the build down.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol, TypeVar

J = TypeVar("J")

MAX_ATTEMPTS_AFTER_CRASH = 2


class Executor(Protocol):
    #: jobs to keep in flight so that no worker waits for the driver
    slots: int

    def submit(self, fn: Callable[[Any], Any], arg: Any) -> Future[Any]: ...

    def restart(self) -> None: ...

    def shutdown(self) -> None: ...


class InlineExecutor:
    slots = 1

    def submit(self, fn: Callable[[Any], Any], arg: Any) -> Future[Any]:
        fut: Future[Any] = Future()
        try:
            fut.set_result(fn(arg))
        except Exception as err:  # the caller sees it through the future, as with a pool
            fut.set_exception(err)
        return fut

    def restart(self) -> None:
        pass

    def shutdown(self) -> None:
        pass


class LocalExecutor:
    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError(f"The 'workers' parameter must be >= 1. Got {workers} instead.")
        self.workers = workers
        self.slots = 2 * workers
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))

    def submit(self, fn: Callable[[Any], Any], arg: Any) -> Future[Any]:
        return self._pool.submit(fn, arg)

    def restart(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = self._new_pool()

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _ray_call(fn: Callable[[Any], Any], arg: Any) -> Any:
    return fn(arg)


class RayExecutor:
    """Runs jobs as Ray tasks (one CPU each). Connects to ``address`` when given; otherwise
    starts a private local Ray with ``workers`` CPUs. Shuts Ray down only if it started it."""

    def __init__(self, address: str | None = None, workers: int | None = None) -> None:
        try:
            import ray
        except ImportError:
            raise ImportError(
                "executor='ray' needs Ray: pip install 'zapml[ray]' (or ray[default])."
            ) from None
        self._ray = ray
        self._owns = not ray.is_initialized()
        if self._owns:
            kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
            if address:
                kwargs["address"] = address
            elif workers:
                kwargs["num_cpus"] = workers
            ray.init(**kwargs)
        cpus = int(ray.cluster_resources().get("CPU", 1))
        self.slots = 2 * max(cpus, 1)
        # max_retries=0: a cell is not idempotent in cost; the driver decides what a crash means
        self._remote = ray.remote(num_cpus=1, max_retries=0)(_ray_call)

    def submit(self, fn: Callable[[Any], Any], arg: Any) -> Future[Any]:
        ref = self._remote.remote(fn, arg)
        fut: Future[Any] = ref.future()
        return fut

    def restart(self) -> None:
        pass  # Ray replaces dead workers itself

    def shutdown(self) -> None:
        if self._owns:
            self._ray.shutdown()


def make_executor(
    executor: str = "local", workers: int = 1, address: str | None = None
) -> Executor:
    if executor == "local":
        return InlineExecutor() if workers == 0 else LocalExecutor(workers)
    if executor == "ray":
        return RayExecutor(address=address, workers=workers or None)
    raise ValueError(
        f"The 'executor' parameter must be 'local' or 'ray'. Got {executor!r} instead."
    )


def run_all(
    executor: Executor,
    fn: Callable[[J], Any],
    jobs: Iterable[J],
    on_result: Callable[[J, Any, BaseException | None], None],
) -> None:
    """Run ``fn(job)`` for every job; call ``on_result(job, result, error)`` in the driver as
    each finishes (in completion order)."""
    todo = iter(jobs)
    pending: dict[Future[Any], tuple[J, int]] = {}
    retry: list[tuple[J, int]] = []

    def fill() -> None:
        while len(pending) < executor.slots:
            if retry:
                job, attempts = retry.pop()
            else:
                nxt = next(todo, None)
                if nxt is None:
                    return
                job, attempts = nxt, 0
            pending[executor.submit(fn, job)] = (job, attempts)

    try:
        fill()
        while pending:
            done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            crashed = False
            for fut in done:
                job, attempts = pending.pop(fut)
                err = fut.exception()
                if isinstance(err, BrokenProcessPool):
                    crashed = True
                    retry.append((job, attempts))
                else:
                    on_result(job, None if err else fut.result(), err)
            if crashed:
                _recover(executor, pending, retry, on_result)
            fill()
    except BaseException:
        for fut in pending:
            fut.cancel()
        raise


def _recover(
    executor: Executor,
    pending: dict[Future[Any], tuple[J, int]],
    retry: list[tuple[J, int]],
    on_result: Callable[[J, Any, BaseException | None], None],
) -> None:
    """A worker died: every job still in flight died with the pool; retry each once more."""
    retry.extend(pending.values())
    pending.clear()
    executor.restart()
    survivors = []
    for job, attempts in retry:
        if attempts + 1 >= MAX_ATTEMPTS_AFTER_CRASH:
            on_result(job, None, BrokenProcessPool("worker process died (killed or out of memory)"))
        else:
            survivors.append((job, attempts + 1))
    retry[:] = survivors
