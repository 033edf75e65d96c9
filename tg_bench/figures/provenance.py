"""What every figure states about the runs it draws: protocol, seeds and targets, in one phrase."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from tg_bench.figures.style import method_style
from tg_bench.identity import TRANSFERGRAPH


def _seeds(n: int) -> str:
    return f"{n} seed{'s' if n != 1 else ''}"


def _usual(counts: Mapping[str, int]) -> tuple[int, dict[str, int]]:
    """The most common count (the larger on a tie) and the labels that ran another count."""
    tally = Counter(counts.values())
    usual = max(tally, key=lambda n: (tally[n], n))
    return usual, {label: n for label, n in sorted(counts.items()) if n != usual}


def _with_exceptions(usual: int, exceptions: Mapping[str, int]) -> str:
    listed = "; ".join(f"{label}: {_seeds(n)}" for label, n in exceptions.items())
    return _seeds(usual) + (f" ({listed})" if listed else "")


def seeds_phrase(seeds: Mapping[str, int]) -> str:
    """How many seeds the methods ran, by method name: `5 seeds` where all ran as many; else TransferGraph's
    variants and the other methods apart, each with its exceptions (`TransferGraph 1 seed, others 5 seeds
    (random: 1 seed)`: the paper protocol's TransferGraph rows ran seed 0 only)."""
    if not seeds:
        return "no seeds"
    labelled = {method_style(m).label: int(n) for m, n in seeds.items()}
    kinds = {method_style(m).label: method_style(m).kind == TRANSFERGRAPH for m in seeds}
    usual, exceptions = _usual(labelled)
    if not exceptions:
        return _seeds(usual)
    variants = {label: n for label, n in labelled.items() if kinds[label]}
    others = {label: n for label, n in labelled.items() if not kinds[label]}
    if not variants or not others:
        return _with_exceptions(usual, exceptions)
    return f"TransferGraph {_with_exceptions(*_usual(variants))}, others {_with_exceptions(*_usual(others))}"


def run_note(protocol: str | None, seeds: Mapping[str, int] | None, targets: int | None) -> str:
    """`clean protocol, 5 seeds, 8 targets` (the parts that are known)."""
    parts = [f"{protocol} protocol" if protocol else None, seeds_phrase(seeds) if seeds is not None else None]
    parts.append(f"{targets} target{'s' if targets != 1 else ''}" if targets is not None else None)
    return ", ".join(p for p in parts if p)
