"""Declared parameter constraints, as scikit-learn declares its estimators' (`_parameter_constraints`): a
settings record lists, per field, the values it accepts, and one function checks them all.

Why declared: the checks of a record's fields were written out by hand wherever the record was built (the GNN
settings' in four places); a table is one place to read and to change, and its error messages come out alike.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any, Literal


@dataclass(frozen=True)
class Interval:
    """Numbers of type `kind` (`Integral` or `Real`; never a bool) between `low` and `high` (None: unbounded),
    each end included as `closed` says."""

    kind: type[Integral] | type[Real]
    low: float | None
    high: float | None = None
    closed: Literal["left", "right", "both", "neither"] = "left"

    def accepts(self, value: Any) -> bool:
        if isinstance(value, bool) or not isinstance(value, self.kind):
            return False
        if self.low is not None and (value < self.low or (value == self.low and self.closed in ("right", "neither"))):
            return False
        return self.high is None or not (
            value > self.high or (value == self.high and self.closed in ("left", "neither"))
        )

    def __str__(self) -> str:
        kind = "an int" if self.kind is Integral else "a number"
        bounds = []
        if self.low is not None:
            bounds.append(f"{'>=' if self.closed in ('left', 'both') else '>'} {self.low}")
        if self.high is not None:
            bounds.append(f"{'<=' if self.closed in ('right', 'both') else '<'} {self.high}")
        return " ".join([kind, " and ".join(bounds)]) if bounds else kind


@dataclass(frozen=True)
class Options:
    """One of `values` (compared by type as well as value, so `True` is not the option `1`)."""

    values: tuple[Any, ...]

    def accepts(self, value: Any) -> bool:
        return any(type(value) is type(option) and value == option for option in self.values)

    def __str__(self) -> str:
        return f"one of {', '.join(map(str, self.values))}"


@dataclass(frozen=True)
class InstanceOf:
    """Any instance of `kind`."""

    kind: type

    def accepts(self, value: Any) -> bool:
        return isinstance(value, self.kind)

    def __str__(self) -> str:
        return f"a {self.kind.__name__}"


#: a constraint, or None for the value None
Constraint = Interval | Options | InstanceOf | None


def validate_constraints(constraints: Mapping[str, Collection[Constraint]], values: Mapping[str, Any]) -> None:
    """ValueError naming the first of `values` that meets none of its `constraints` (a value is valid when it
    meets any one of them); every key of `constraints` must be in `values`."""
    for name, allowed in constraints.items():
        value = values[name]
        if not any(value is None if c is None else c.accepts(value) for c in allowed):
            expected = " or ".join("None" if c is None else str(c) for c in allowed)
            raise ValueError(f"{name} must be {expected}, got {value!r}")
