"""The aggregated tables as CSV, Markdown and LaTeX: the per-target tables of each metric and the headline
summary (weighted averages of both protocols beside the paper's, and each method against the reference)."""

from __future__ import annotations

import gzip
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from tg_bench.analysis.pooled import POOLED
from tg_bench.analysis.tables import zoo_targets
from tg_bench.atomic_write import write_atomic
from tg_bench.evaluate.scoring import AVERAGE, MEAN
from tg_bench.evaluate.summary import to_markdown

#: the paper's protocol first, then the clean one, then any other
PROTOCOL_ORDER = {"paper": 0, "clean": 1}


def _cell(mean: float, std: float, published: float = np.nan) -> str:
    if pd.isna(mean):
        return ""
    text = f"{mean:.4f}" if pd.isna(std) else f"{mean:.4f} ± {std:.4f}"
    return text if pd.isna(published) else f"{text} ({published:.4f})"


def method_order(stats: pd.DataFrame) -> list[str]:
    """Methods by their seed-mean weighted average, best first (clean protocol where present, else paper)."""
    average = stats[stats["target"] == AVERAGE]
    for protocol in ("clean", "paper"):
        chosen = average[average["protocol"] == protocol]
        if len(chosen):
            break
    else:
        chosen = average
    ranked = chosen.groupby("method")["mean"].mean().sort_values(ascending=False, kind="stable")
    rest = [m for m in dict.fromkeys(stats["method"]) if m not in ranked.index]
    return [*ranked.index, *rest]


def target_table(stats: pd.DataFrame) -> pd.DataFrame:
    """One run group and metric: rows methods, columns targets (the zoo's order), `average`, `mean`; cells
    'mean ± std (published)'."""
    zoo = stats["zoo"].iloc[0]
    present = list(dict.fromkeys(t for t in stats["target"] if t not in (AVERAGE, MEAN)))
    order = [t for t in (zoo_targets(zoo) or ()) if t in present] + [
        t for t in present if t not in (zoo_targets(zoo) or ())
    ]
    columns = [*order, AVERAGE, MEAN]
    table = pd.DataFrame("", index=method_order(stats), columns=columns)
    for row in stats.itertuples():
        table.loc[row.method, row.target] = _cell(row.mean, row.std, row.published)
    return table


def summary_table(stats: pd.DataFrame, paired: pd.DataFrame, reference: str) -> pd.DataFrame:
    """One zoo, ratio and metric: per method the published weighted average, and per protocol the seed mean ±
    std of ours (n seeds), the difference to the published value, and the paired difference to `reference`
    with its interval and targets won."""
    average = stats[stats["target"] == AVERAGE]
    table = pd.DataFrame(index=method_order(stats))
    paper_rows = average[average["protocol"] == "paper"].set_index("method")
    if "published" in average and paper_rows["published"].notna().any():
        table["published"] = [_cell(paper_rows["published"].get(m, np.nan), np.nan) for m in table.index]
    protocols = sorted(dict.fromkeys(average["protocol"]), key=lambda p: (PROTOCOL_ORDER.get(p, 2), p))
    for protocol in protocols:
        rows = average[average["protocol"] == protocol].set_index("method")
        targets = {t for t in stats.loc[stats["protocol"] == protocol, "target"] if t not in (AVERAGE, MEAN)}
        label = _protocol_label(protocol, bool(rows["complete"].all()), targets, str(stats["zoo"].iloc[0]))
        table[f"{label}: mean ± std (n)"] = [
            f"{_cell(rows.at[m, 'mean'], rows.at[m, 'std'])} (n={int(rows.at[m, 'seeds'])})"
            if m in rows.index and pd.notna(rows.at[m, "mean"])
            else ""
            for m in table.index
        ]
        if protocol == "paper" and rows["published"].notna().any():
            table["paper - published"] = [
                f"{rows.at[m, 'mean'] - rows.at[m, 'published']:+.4f}"
                if m in rows.index and pd.notna(rows.at[m, "published"])
                else ""
                for m in table.index
            ]
        versus = paired[paired["protocol"] == protocol].set_index("method")
        if len(versus):
            table[f"{protocol}: - {reference} [95% CI] (won/targets; p; MDD at 80% power)"] = [
                versus_cell(versus.loc[m]) if m in versus.index else "" for m in table.index
            ]
    return table


def _protocol_label(protocol: str, complete: bool, targets: set[str], zoo: str) -> str:
    """How a summary names a protocol's column: the protocol alone over the zoo's evaluation targets, else
    with which targets it covers (more: `target_set=extended`; the pooled zoo: every zoo's)."""
    if complete:
        return protocol
    evaluation = zoo_targets(zoo)
    if evaluation is None:
        return f"{protocol} ({len(targets)} targets)"
    if set(evaluation) < targets:
        return f"{protocol} (extended: {len(targets)} targets)"
    return f"{protocol} (subset of targets)"


def _p(value: float) -> str:
    """A p-value as tables show it: three decimals, `<0.001` below."""
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def versus_cell(row: pd.Series) -> str:
    """A paired row (`paired_intervals`) as tables show it: `+0.0162 [-0.0140, +0.0465] (6/8; p 0.208; MDD
    0.0404)`."""
    return (
        f"{row['difference']:+.4f} [{row['low']:+.4f}, {row['high']:+.4f}] "
        f"({int(row['won'])}/{int(row['targets'])}; p {_p(row['p_value'])}; MDD {row['mdd']:.4f})"
    )


def to_latex(table: pd.DataFrame, caption: str) -> str:
    latex = table.to_latex(escape=True, caption=caption, column_format="l" + "r" * len(table.columns))
    return latex.replace("±", r"$\pm$")


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, lambda handle: handle.write(text))


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    """`frame` as CSV (10 significant digits); gzip-compressed when `path` ends in `.gz`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".gz":
        # gzip.compress writes no file name and the given mtime into the header: the same table, the same bytes
        text = frame.to_csv(index=False, float_format="%.10g")
        write_atomic(path, lambda handle: handle.write(gzip.compress(text.encode(), mtime=0)), binary=True)
        return
    write_atomic(path, lambda handle: frame.to_csv(handle, index=False, float_format="%.10g"))


def _title(zoo: str, protocol: str | None, ratio: float, metric: str) -> str:
    parts = ["both zoos pooled (the zoo as a stratum)" if zoo == POOLED else f"{zoo} zoo"]
    parts += [f"{protocol} protocol"] if protocol else []
    if ratio != 1.0:
        parts.append(f"model ratio {ratio:g}")
    return f"{metric}: " + ", ".join(parts)


def write_tables(
    out: Path,
    stats: pd.DataFrame,
    paired: pd.DataFrame,
    metrics: Sequence[str],
    reference: str,
    labels: Mapping[str, str] | None = None,
) -> tuple[list[Path], str]:
    """Write `<metric>.md/.tex` (per-target tables) and `summary.md/.tex` (headline tables) under `out`, methods
    shown by their `labels` (`TG:LR:N2V`, `zoo prior`; a method without one by its name); return the paths
    written and the summary's Markdown."""
    labels = dict(labels or {})

    def shown(method: str) -> str:
        return labels.get(method, method)

    written: list[Path] = []
    summary_md, summary_tex = [], []
    for metric in metrics:
        chosen = stats[stats["metric"] == metric]
        md, tex = [], []
        for (zoo, protocol, ratio), group in chosen.groupby(["zoo", "protocol", "ratio"], sort=True):
            title = _title(zoo, protocol, ratio, metric)
            table = target_table(group).rename(index=shown)
            note = "cells: mean ± std over seeds (the paper's value)" if protocol == "paper" else "cells: mean ± std"
            md.append(to_markdown(table, f"{title} ({note}; average = weighted, mean = plain)"))
            tex.append(to_latex(table, title))
        for (zoo, ratio), group in chosen.groupby(["zoo", "ratio"], sort=True):
            versus = paired[(paired["metric"] == metric) & (paired["zoo"] == zoo) & (paired["ratio"] == ratio)]
            table = summary_table(group, versus, shown(reference)).rename(index=shown)
            title = f"{_title(zoo, None, ratio, metric)}, weighted average over targets"
            summary_md.append(to_markdown(table, title))
            summary_tex.append(to_latex(table, title))
        for suffix, parts in ((".md", md), (".tex", tex)):
            path = out / "tables" / f"{metric}{suffix}"
            write_text(path, "\n".join(parts))
            written.append(path)
    summary = "\n".join(summary_md)
    for name, text in (("summary.md", summary), ("summary.tex", "\n".join(summary_tex))):
        write_text(out / name, text)
        written.append(out / name)
    return written, summary
