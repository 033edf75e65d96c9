"""Build the classic 10-CNN benchmark's zoo files from its verbatim published tables.

    .venv/bin/python scripts/make_classic10.py [--source SOURCE.md] [--out FOLDER]

(defaults: tg_bench/zoos/classic10/source.md and its folder).

Writes models.csv, datasets.csv, records.csv, scores.csv and published/{pearson,w-kendall}.csv
(`tg_bench.data.classic10`); tests/test_classic10.py checks the committed files are what this writes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tg_bench.data.classic10 import build_classic10
from tg_bench.errors import UserInputError

FOLDER = Path(__file__).resolve().parents[1] / "tg_bench" / "zoos" / "classic10"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=FOLDER / "source.md")
    parser.add_argument("--out", type=Path, default=FOLDER)
    args = parser.parse_args()
    try:
        written = build_classic10(args.source, args.out)
    except (UserInputError, OSError) as exc:
        print(f"make_classic10: error: {exc}", file=sys.stderr)
        return 2
    print("\n".join(f"wrote {path}" for path in written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
