"""Ground truth, metrics, and per-target scoring of a method's predictions."""
