"""SATzilla-style basic features of a CNF (Xu et al., "SATzilla", JAIR 2008: the size and
balance features of its first group), computed from the clauses alone in a few milliseconds."""

from __future__ import annotations

import numpy as np
from instances import Cnf


def _clause_features(lengths: np.ndarray, positives: np.ndarray) -> dict[str, float]:
    return {
        "clause_len_mean": float(lengths.mean()),
        "clause_len_std": float(lengths.std()),
        "clause_len_min": float(lengths.min()),
        "clause_len_max": float(lengths.max()),
        "frac_binary": float(np.mean(lengths == 2)),
        "frac_ternary": float(np.mean(lengths == 3)),
        # Horn: at most one positive literal (unit propagation decides Horn formulas)
        "frac_horn": float(np.mean(positives <= 1)),
    }


def features(cnf: Cnf) -> dict[str, float]:
    """The basic features of ``cnf``; the key order is the scenario's feature order."""
    n_vars, clauses = cnf
    if not clauses or n_vars < 1:
        raise ValueError("A CNF with no clause or no variable has no features.")
    literals = np.concatenate([np.asarray(c, dtype=np.int64) for c in clauses])
    lengths = np.array([len(c) for c in clauses])
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    positives = np.add.reduceat((literals > 0).astype(int), starts)
    occurrences = np.bincount(np.abs(literals), minlength=n_vars + 1)[1:]
    return {
        "n_vars": float(n_vars),
        "n_clauses": float(len(clauses)),
        "ratio": len(clauses) / n_vars,
        **_clause_features(lengths, positives),
        "var_occ_mean": float(occurrences.mean()),
        "var_occ_std": float(occurrences.std()),
        "var_occ_max": float(occurrences.max()),
        "frac_positive_literals": float(np.mean(literals > 0)),
    }
