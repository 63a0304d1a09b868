"""Runs one SAT solver on one instance under a CPU-time cutoff and checks its answer.

Time is the solver's own CPU time (user + system, from ``os.wait4``'s rusage of that child), so
the load of other processes on the machine does not distort it. The kernel enforces the cutoff
(RLIMIT_CPU: SIGXCPU at the soft limit, SIGKILL one second later); a wall-clock guard kills a
solver that sleeps instead of computing.
"""

from __future__ import annotations

import math
import os
import resource
import signal
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from instances import Cnf

#: DIMACS solver exit codes (the SAT competition convention all four Debian solvers follow)
SAT, UNSAT = 10, 20
ANSWERS = {SAT: "SAT", UNSAT: "UNSAT"}
#: solver name -> command line before the instance path; quiet modes print only the answer and
#: the model ("v" lines). minisat writes its model to a file instead (added in ``_command``).
SOLVERS: dict[str, list[str]] = {
    "minisat": ["minisat", "-verb=0"],
    "picosat": ["picosat"],
    "cryptominisat5": ["cryptominisat5", "--verb", "0", "--threads", "1"],
    "cadical": ["cadical", "-q"],
}
#: wall-clock guard as a multiple of the CPU cutoff: on this shared 2-core machine a solver
#: gets a fraction of a core, and only one that stops computing should hit this guard
WALL_GUARD_FACTOR = 30


@dataclass(frozen=True)
class Run:
    instance_id: str
    solver: str
    cpu_s: float
    status: str  # ok | timeout | crash (ASlib run statuses)
    answer: str  # SAT | UNSAT | "" (no answer)
    detail: str = ""


def _limit_cpu(seconds: float) -> None:
    soft = math.ceil(seconds) + 1  # whole seconds only; the cutoff itself is checked on rusage
    resource.setrlimit(resource.RLIMIT_CPU, (soft, soft + 1))


def _command(solver: str, path: Path, model_file: Path) -> list[str]:
    extra = [str(model_file)] if solver == "minisat" else []
    return [*SOLVERS[solver], str(path), *extra]


def _model(solver: str, stdout: str, model_file: Path) -> set[int]:
    if solver == "minisat":
        text = model_file.read_text() if model_file.is_file() else ""
        lines = text.splitlines()[1:]  # first line is SAT/UNSAT
    else:
        lines = [ln[1:] for ln in stdout.splitlines() if ln.startswith("v")]
    return {int(tok) for ln in lines for tok in ln.split() if tok not in ("0", "")}


def model_satisfies(cnf: Cnf, model: set[int]) -> bool:
    return all(any(lit in model for lit in clause) for clause in cnf[1])


def _execute(cmd: list[str], cutoff: float) -> tuple[int, float, str]:
    """(exit code or -signal, CPU seconds, stdout) of ``cmd`` under the cutoff."""
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL,
                                preexec_fn=lambda: _limit_cpu(cutoff))  # fmt: skip
        guard = threading.Timer(cutoff * WALL_GUARD_FACTOR, proc.kill)
        guard.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            guard.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)  # Popen must not wait again
        out.seek(0)
        return proc.returncode, usage.ru_utime + usage.ru_stime, out.read()


def run(solver: str, instance_id: str, path: Path, cnf: Cnf, cutoff: float) -> Run:
    """One run of ``solver``; a SAT answer whose model falsifies a clause is a crash."""
    with tempfile.TemporaryDirectory() as tmp:
        model_file = Path(tmp) / "model"
        code, cpu, stdout = _execute(_command(solver, path, model_file), cutoff)
        if cpu >= cutoff or code in (-signal.SIGXCPU, -signal.SIGKILL):
            return Run(instance_id, solver, min(cpu, cutoff), "timeout", "")
        if code not in ANSWERS:
            return Run(instance_id, solver, cpu, "crash", "", f"exit code {code}")
        if code == SAT and not model_satisfies(cnf, _model(solver, stdout, model_file)):
            return Run(instance_id, solver, cpu, "crash", "SAT", "model falsifies a clause")
        return Run(instance_id, solver, cpu, "ok", ANSWERS[code])
