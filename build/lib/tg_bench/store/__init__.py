"""The results store: one file per finished unit of work, so that a killed sweep resumes where it stopped."""

from tg_bench.store.key import UnitKey, config_digest
from tg_bench.store.units import ResultStore, StoredUnit, UnitRecord

__all__ = ["ResultStore", "StoredUnit", "UnitKey", "UnitRecord", "config_digest"]
