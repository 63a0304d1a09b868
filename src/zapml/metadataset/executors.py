"""Executors: where cell evaluations run. All hand back ``concurrent.futures.Future`` objects.

- ``InlineExecutor``: in the driver process (``workers=0``), for debugging and fast tests.
- ``LocalExecutor``: a spawn-started process pool (the default). Spawn, not fork: the driver
  holds an SQLite connection and maybe torch threads, neither of which survives a fork well.
- ``RayExecutor``: a Ray cluster (``address="host:port"``) or a fresh local Ray.

``run_all`` keeps a bounded number of jobs in flight and hands each result to the driver, which
is the only writer. A local worker killed from outside (out of memory) breaks the whole pool;
``run_all`` then restarts the pool and reruns each job that was in flight alone: the one that
kills its worker again is reported as failed (the others complete), and the build goes on.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Generic, Protocol, TypeVar

J = TypeVar("J")

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
WORKER_DIED = "worker process died while running this job (killed, or out of memory)"


class Executor(Protocol):
    #: jobs to keep in flight so that no worker waits for the driver
    slots: int

    def submit(self, fn: Callable[[Any], Any], arg: Any) -> Future[Any]: ...

    def restart(self) -> None: ...

    def shutdown(self) -> None: ...

    def kill(self) -> None: ...


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

    def kill(self) -> None:
        pass


class LocalExecutor:
    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError(f"The 'workers' parameter must be >= 1. Got {workers} instead.")
        self.workers = workers
        self.slots = 2 * workers
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=die_with_parent,
            initargs=(os.getpid(),),
        )

    def submit(self, fn: Callable[[Any], Any], arg: Any) -> Future[Any]:
        return self._pool.submit(fn, arg)

    def restart(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = self._new_pool()

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def kill(self) -> None:
        """Stop now: the driver is going away (SIGTERM, Ctrl-C, an error) and the cells in
        flight are lost anyway; waiting for them would keep ~1 GB per worker for minutes."""
        # _processes is the pool's only handle on its workers; None once it has shut down
        workers = list((getattr(self._pool, "_processes", None) or {}).values())
        for proc in workers:
            proc.terminate()
        self._pool.shutdown(wait=False, cancel_futures=True)
        for proc in workers:
            proc.join(timeout=5)


def die_with_parent(parent_pid: int) -> None:
    """Worker initializer: ask Linux to SIGKILL this worker when its driver dies (even by
    SIGKILL, which no handler in the driver can see). Elsewhere a no-op."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:  # the driver died before the request was in place
        os._exit(1)


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

    def kill(self) -> None:
        self.shutdown()  # a private Ray goes with its workers; a shared cluster stays


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
    _Runner(executor, fn, iter(jobs), on_result).run()


_END = object()


class _Runner(Generic[J]):
    """``run_all``'s state: the futures in flight and, after a pool crash, the suspects (the
    jobs that were in flight, each rerun alone to find the one that kills its worker)."""

    def __init__(
        self,
        executor: Executor,
        fn: Callable[[J], Any],
        todo: Iterator[J],
        on_result: Callable[[J, Any, BaseException | None], None],
    ) -> None:
        self.executor, self.fn, self.todo, self.on_result = executor, fn, todo, on_result
        self.pending: dict[Future[Any], tuple[J, bool]] = {}  # future -> (job, ran alone)
        self.suspects: deque[J] = deque()

    def run(self) -> None:
        try:
            self.fill()
            while self.pending:
                done, _ = wait(list(self.pending), return_when=FIRST_COMPLETED)
                if self.collect(done):
                    self.crash()
                self.fill()
        except BaseException:
            for fut in self.pending:
                fut.cancel()
            raise

    def collect(self, done: Iterable[Future[Any]]) -> bool:
        """Hand finished jobs to ``on_result``; True when the pool crashed under them."""
        crashed = False
        for fut in done:
            job, alone = self.pending.pop(fut)
            err = fut.exception()
            if not isinstance(err, BrokenProcessPool):
                self.on_result(job, None if err else fut.result(), err)
            elif alone:  # it killed its worker with nothing else running: the culprit
                self.on_result(job, None, BrokenProcessPool(WORKER_DIED))
            else:
                crashed = True
                self.suspects.append(job)
        return crashed

    def crash(self) -> None:
        # every job in flight died with the pool; none is known to be guilty yet
        self.suspects.extend(job for job, _ in self.pending.values())
        self.pending.clear()
        self.executor.restart()

    def submit(self, job: J, alone: bool) -> bool:
        try:
            self.pending[self.executor.submit(self.fn, job)] = (job, alone)
        except BrokenProcessPool:  # the pool broke before its futures told us
            self.suspects.appendleft(job)
            self.crash()
            return False
        return True

    def fill(self) -> None:
        while True:
            if self.suspects:  # after a crash, rerun each job that was in flight alone
                if not self.pending and self.submit(self.suspects.popleft(), True):
                    return
                if self.pending:
                    return
                continue
            if len(self.pending) >= self.executor.slots:
                return
            nxt = next(self.todo, _END)
            if nxt is _END:
                return
            self.submit(nxt, False)  # type: ignore[arg-type]
