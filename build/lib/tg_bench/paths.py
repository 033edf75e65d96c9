"""Where things live: the zoo metadata (`TG_BENCH_DATA`, else `data/` under the working directory) and the
config folder shipped inside the package."""

from __future__ import annotations

import os
from pathlib import Path

from tg_bench.errors import UserInputError

DATA_ENV_VAR = "TG_BENCH_DATA"
#: relative to the working directory, like the `results/` and `outputs/` folders a run writes (tg_bench/conf/paths)
DEFAULT_DATA_DIR = Path("data") / "transfergraph-metadata"
#: the Hydra config folder: config groups and their files, inside the package so that a wheel carries them
CONFIG_DIR = Path(__file__).resolve().parent / "conf"

#: folder of each zoo inside the metadata root (the authors' layout)
ZOO_FOLDERS = {"image": "image_classification", "text": "sequence_classification"}


def data_root(explicit: str | Path | None = None) -> Path:
    """The metadata root: an explicit path, else `$TG_BENCH_DATA`, else `./data/transfergraph-metadata`."""
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
