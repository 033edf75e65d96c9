"""The GNN encoders of the paper's `homo_SAGEConv` / `homoGATConv` learners: node features -> node embeddings.

`tg_bench/conf/embedder/{sage,gat}.yaml` choose one by `_target_` under `encoder:` with `_partial_: true`: the config
gives the widths, the fit the input width (`in_channels`, the node features' width, known only then).
"""

from __future__ import annotations

from collections.abc import Callable

from torch import Tensor, nn

#: an encoder with everything but its input width bound: `factory(in_channels)` -> a fresh encoder module
#: mapping (x (N, in_channels), edge_index (2, E)) to (N, out_channels)
EncoderFactory = Callable[[int], nn.Module]


def _check_widths(in_channels: int, hidden_channels: int, out_channels: int) -> None:
    # torch builds zero-width layers without complaint, and a zero-width embedding fails far downstream
    for key, value in (
        ("in_channels", in_channels),
        ("hidden_channels", hidden_channels),
        ("out_channels", out_channels),
    ):
        if value < 1:
            raise ValueError(f"{key} must be >= 1, got {value}")


class SAGEEncoder(nn.Module):
    """Two `SAGEConv` layers (mean aggregation): x (N, in_channels) -> z (N, out_channels)."""

    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int) -> None:
        super().__init__()
        from torch_geometric.nn import SAGEConv

        _check_widths(in_channels, hidden_channels, out_channels)
        self.conv1 = SAGEConv(in_channels, hidden_channels)
        self.conv2 = SAGEConv(hidden_channels, out_channels)

    def forward(self, x: Tensor, edge_index: Tensor) -> Tensor:
        """x: (N, F) float32 or float64 (the fit's dtype), edge_index: (2, E) int64 -> (N, out_channels)."""
        h = self.conv1(x, edge_index).relu()
        return self.conv2(h, edge_index)


class GATEncoder(nn.Module):
    """Two single-head `GATConv` layers without self loops, each plus a linear skip (paper: homoGATConv):
    x (N, in_channels) -> z (N, out_channels).

    Without self loops a node's attention only sees its neighbours, so the skip `Linear(in, out)` is what
    carries the node's own features (and the only signal for isolated nodes, e.g. a target whose records were
    all removed).
    """

    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int) -> None:
        super().__init__()
        from torch_geometric.nn import GATConv

        _check_widths(in_channels, hidden_channels, out_channels)
        # the construction order is the order the layers draw their initial weights from torch's RNG
        self.conv1 = GATConv(in_channels, hidden_channels, heads=1, add_self_loops=False)
        self.lin1 = nn.Linear(in_channels, hidden_channels)
        self.conv2 = GATConv(hidden_channels, out_channels, heads=1, add_self_loops=False)
        self.lin2 = nn.Linear(hidden_channels, out_channels)

    def forward(self, x: Tensor, edge_index: Tensor) -> Tensor:
        """x: (N, F) float32 or float64 (the fit's dtype), edge_index: (2, E) int64 -> (N, out_channels)."""
        h = (self.conv1(x, edge_index) + self.lin1(x)).relu()
        return self.conv2(h, edge_index) + self.lin2(h)
