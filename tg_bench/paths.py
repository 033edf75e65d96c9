"""Where the zoo metadata lives: `TG_BENCH_DATA`, else the project's ignored `data/` folder."""

from __future__ import annotations

import os
from pathlib import Path

from tg_bench.errors import UserInputError

DATA_ENV_VAR = "TG_BENCH_DATA"
PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = PROJECT_ROOT / "data" / "transfergraph-metadata"
#: the Hydra config folder (`conf/`): config groups and their files
CONFIG_DIR = PROJECT_ROOT / "conf"

#: folder of each zoo inside the metadata root (the authors' layout)
ZOO_FOLDERS = {"image": "image_classification", "text": "sequence_classification"}


def data_root(explicit: str | Path | None = None) -> Path:
    """The metadata root: an explicit path, else `$TG_BENCH_DATA`, else `data/transfergraph-metadata`."""
    if explicit not in (None, ""):
        root = Path(explicit).expanduser()
        source = "data_root"
    elif os.environ.get(DATA_ENV_VAR):
        root = Path(os.environ[DATA_ENV_VAR]).expanduser()
        source = DATA_ENV_VAR
    else:
        root = DEFAULT_DATA_DIR
        source = "the default data folder"
    if not root.is_dir():
        raise UserInputError(
            f"metadata root does not exist (from {source}); set {DATA_ENV_VAR} or run `tg-bench fetch`",
            path=root,
        )
    return root.resolve()
