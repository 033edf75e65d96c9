"""`results/README.md` states findings with numbers: each number must be one the tables it links hold, so the
prose cannot drift from what the README's commands wrote."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

RESULTS = Path(__file__).parents[1] / "results"
NUMBER = re.compile(r"(?<![\w.])[-+]?\d+\.\d{3,4}(?![\d])")
LINK = re.compile(r"\]\(([^)#]+)\)")


def _numbers_in(path: Path) -> set[str]:
    """Every number of a linked table, as written and rounded to 3 and 4 decimals (sign dropped)."""
    if path.suffix in {".csv", ".gz"}:
        frame = pd.read_csv(path)
        values = frame.select_dtypes("number").to_numpy().ravel()
        return {f"{abs(v):.{d}f}" for v in values if v == v for d in (3, 4)}
    found = [n.lstrip("+-") for n in NUMBER.findall(path.read_text())]
    return {*found, *(f"{float(n):.3f}" for n in found)}


def test_every_number_in_results_readme_is_in_a_table_it_links() -> None:
    readme = (RESULTS / "README.md").read_text()
    links = [RESULTS / link for link in LINK.findall(readme) if not link.startswith("http")]
    missing_links = [str(p.relative_to(RESULTS)) for p in links if not p.exists()]
    assert not missing_links, f"results/README.md links missing files: {missing_links}"
    known: set[str] = set()
    for path in links:
        if path.suffix in {".md", ".csv", ".gz"}:
            known |= _numbers_in(path)
    stated = {n.lstrip("+-") for n in NUMBER.findall(readme)}
    assert len(stated) > 20  # the findings carry their numbers
    assert not sorted(stated - known), "numbers in results/README.md found in none of the tables it links"
