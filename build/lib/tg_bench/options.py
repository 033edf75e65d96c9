"""`PATH... key=value...` command lines (`tg-bench aggregate`, `figures`, `compare`) read into a dataclass.

OmegaConf checks the values against the dataclass' field types, so `resamples=ten` or a typo in a key is one
user error naming the key rather than a traceback deep inside the command.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any, TypeVar

from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from tg_bench.errors import UserInputError

Options = TypeVar("Options")


def parse_options(args: list[str], schema: type[Options]) -> tuple[list[Path], Options, set[str]]:
    """Split `args` into paths (no `=`) and `key=value` options of the dataclass `schema`.

    Returns the paths, the options (defaults where not given) and the set of keys the user gave. An unknown
    key or a value of the wrong type is a `UserInputError` naming the key.
    """
    paths = [Path(a) for a in args if "=" not in a]
    overrides = [a for a in args if "=" in a]
    public = {f.name for f in fields(schema)}
    try:
        given = OmegaConf.from_dotlist(overrides)
    except OmegaConfBaseException as exc:
        raise UserInputError(f"cannot parse options {overrides}: {exc}") from None
    unknown = sorted(set(given) - public)
    if unknown:
        raise UserInputError(f"unknown option(s) {', '.join(unknown)} (options: {', '.join(sorted(public))})")
    try:
        merged = OmegaConf.merge(OmegaConf.structured(schema), given)
    except OmegaConfBaseException as exc:
        raise UserInputError(f"option {exc.full_key}: {exc.msg}") from None
    return paths, schema(**OmegaConf.to_container(merged)), set(given)


def as_list(value: Any) -> list[str]:
    """An option that takes one name or a list (`metric=pearson`, `metric=[pearson,rel@1]`) as a list."""
    if value is None:
        return []
    return [str(value)] if isinstance(value, str | int | float) else [str(v) for v in value]


def option_lines(options: object) -> list[str]:
    """`  key=default` per option, for a command's `--help`."""
    return [f"  {f.name}={getattr(options, f.name)}" for f in fields(options)]
