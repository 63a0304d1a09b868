"""Seeded generators of small SAT instances in families where different solvers win.

Every generator takes a ``numpy`` Generator and returns a CNF as a list of clauses (tuples of
non-zero DIMACS literals) and its number of variables; ``write_dimacs`` writes one. ``plan``
lists the instances of the scenario: (instance id, family, generator arguments); the same seed
gives the same instances byte for byte.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

Clause = tuple[int, ...]
Cnf = tuple[int, list[Clause]]  # (number of variables, clauses)


def write_dimacs(path: Path, cnf: Cnf, comment: str) -> Path:
    n_vars, clauses = cnf
    lines = [f"c {comment}", f"p cnf {n_vars} {len(clauses)}"]
    lines += [" ".join(map(str, c)) + " 0" for c in clauses]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


def read_dimacs(path: Path) -> Cnf:
    """The clauses of a DIMACS file (comments and the header skipped)."""
    n_vars, clauses, current = 0, [], []
    for line in path.read_text().splitlines():
        if line.startswith("c") or not line.strip():
            continue
        if line.startswith("p"):
            n_vars = int(line.split()[2])
            continue
        for lit in map(int, line.split()):
            if lit == 0:
                clauses.append(tuple(current))
                current = []
            else:
                current.append(lit)
    return n_vars, clauses


def _signed(rng: np.random.Generator, variables: np.ndarray) -> Clause:
    signs = rng.choice((-1, 1), size=len(variables))
    return tuple(int(v) * int(s) for v, s in zip(variables + 1, signs, strict=True))


def random_ksat(rng: np.random.Generator, n: int, k: int, ratio: float) -> Cnf:
    """Uniform random k-SAT: round(ratio * n) clauses of k distinct variables."""
    m = round(ratio * n)
    return n, [_signed(rng, rng.choice(n, size=k, replace=False)) for _ in range(m)]


def planted_3sat(rng: np.random.Generator, n: int, ratio: float) -> Cnf:
    """Random 3-SAT kept satisfiable by a hidden assignment: clauses it falsifies are redrawn."""
    hidden = rng.choice((-1, 1), size=n)
    clauses: list[Clause] = []
    while len(clauses) < round(ratio * n):
        clause = _signed(rng, rng.choice(n, size=3, replace=False))
        if any(np.sign(lit) == hidden[abs(lit) - 1] for lit in clause):
            clauses.append(clause)
    return n, clauses


def pigeonhole(n_holes: int) -> Cnf:
    """PHP(n+1, n): n+1 pigeons in n holes, unsatisfiable; var p*n + h + 1 = pigeon p in hole h."""
    pigeons = n_holes + 1

    def var(p: int, h: int) -> int:
        return p * n_holes + h + 1

    clauses = [tuple(var(p, h) for h in range(n_holes)) for p in range(pigeons)]
    for h in range(n_holes):
        for p, q in itertools.combinations(range(pigeons), 2):
            clauses.append((-var(p, h), -var(q, h)))
    return pigeons * n_holes, clauses


def colouring(rng: np.random.Generator, n: int, degree: float, colours: int) -> Cnf:
    """k-colouring of a G(n, p) random graph with mean degree ``degree`` (direct encoding:
    var v*k + c + 1 = vertex v has colour c; at least one colour, adjacent vertices differ)."""
    edges = [(u, v) for u, v in itertools.combinations(range(n), 2)
             if rng.random() < degree / (n - 1)]  # fmt: skip

    def var(v: int, c: int) -> int:
        return v * colours + c + 1

    clauses = [tuple(var(v, c) for c in range(colours)) for v in range(n)]
    clauses += [(-var(u, c), -var(v, c)) for u, v in edges for c in range(colours)]
    return n * colours, clauses


def _xor_clauses(variables: list[int], parity: int) -> list[Clause]:
    """The 2^(k-1) clauses forbidding every assignment of ``variables`` with the wrong parity."""
    out = []
    for signs in itertools.product((1, -1), repeat=len(variables)):
        negatives = sum(s < 0 for s in signs)
        # a clause forbids the assignment making all its literals false: var true where negated
        if negatives % 2 != parity:
            out.append(tuple(s * v for s, v in zip(signs, variables, strict=True)))
    return out


def xor_system(rng: np.random.Generator, n: int, equations: int, width: int) -> Cnf:
    """Random XOR equations over ``n`` variables, each of ``width`` variables, cut into chains of
    3-variable XORs through fresh variables (the CNF solvers see, cryptominisat recovers)."""
    clauses: list[Clause] = []
    next_var = n + 1
    for _ in range(equations):
        variables = [int(v) + 1 for v in rng.choice(n, size=width, replace=False)]
        parity = int(rng.integers(2))
        while len(variables) > 3:
            link, next_var = next_var, next_var + 1
            clauses += _xor_clauses([variables.pop(), variables.pop(), link], 0)
            variables.append(link)
        clauses += _xor_clauses(variables, parity)
    return next_var - 1, clauses


#: family -> (generator, list of argument dicts, instances per argument set); chosen by a pilot
#: so that most runs end between 0.01 s and the cutoff and every solver wins somewhere.
FAMILIES: dict[str, tuple[Callable[..., Cnf], list[dict[str, Any]], int]] = {
    "rand3": (random_ksat, [{"n": n, "k": 3, "ratio": 4.26} for n in (200, 250, 300)], 10),
    "rand4": (random_ksat, [{"n": n, "k": 4, "ratio": 9.9} for n in (60, 75)], 14),
    "rand5": (random_ksat, [{"n": n, "k": 5, "ratio": 21.0} for n in (45, 55)], 12),
    "planted": (planted_3sat, [{"n": n, "ratio": 5.0} for n in (250, 350)], 12),
    "php": (lambda rng, n_holes: pigeonhole(n_holes), [{"n_holes": h} for h in (6, 7, 8, 9)], 1),
    "colour": (colouring, [{"n": n, "degree": 4.6, "colours": 3} for n in (300, 400, 500)], 12),
    "xor": (xor_system, [{"n": n, "equations": n, "width": 4} for n in (80, 100, 120)], 12),
}


def plan(seed: int) -> Iterator[tuple[str, str, Callable[[np.random.Generator], Cnf]]]:
    """(instance id, family, a generator bound to its own seeded stream) for every instance."""
    for family, (make, argsets, repeats) in FAMILIES.items():
        for i, args in enumerate(argsets):
            for r in range(repeats):
                name = "-".join(f"{k}{v}" for k, v in args.items())
                stream = np.random.default_rng([seed, len(family), i, r, sum(map(ord, family))])
                yield (f"{family}/{name}-r{r}.cnf", family,
                       lambda s=stream, a=args, m=make: m(s, **a))  # fmt: skip
