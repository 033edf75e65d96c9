"""`notebooks/analysis.ipynb` runs top to bottom on the committed results, and its findings are the tables'."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pandas as pd
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).parents[1] / "notebooks" / "analysis.ipynb"


def test_the_analysis_notebook_runs_and_states_the_committed_numbers() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    ).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    # no warning on stderr (a merge on int and float keys), no numpy scalar reprs in what it prints
    assert not [o for o in outputs if o.get("output_type") == "stream" and o.get("name") == "stderr"]
    printed = "\n".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert "np.int64" not in printed and "np.float64" not in printed
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 4  # the bar, win/loss, model-ratio and top-k figures
    text = "\n".join(o.get("data", {}).get("text/markdown", "") for o in outputs)
    # the finding for the image zoo under the clean protocol is the committed paired table's best variant
    paired = pd.read_csv(NOTEBOOK.parents[1] / "results" / "transfergraph" / "paired_zoo_prior.csv")
    rows = paired[(paired["zoo"] == "image") & (paired["protocol"] == "clean") & (paired["metric"] == "pearson")]
    rows = rows[rows["method"].str.contains("_all_normalize_")].sort_values("difference", ascending=False)
    assert f"{rows['difference'].iloc[0]:+.4f}" in text and "image zoo, clean protocol" in text
