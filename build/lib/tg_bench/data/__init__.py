"""Zoo metadata: loading, validation and the data-quality report."""

from tg_bench.data.zoo import ZooData, load_zoo

__all__ = ["ZooData", "load_zoo"]
