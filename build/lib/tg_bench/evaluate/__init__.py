"""Leave-one-dataset-out evaluation: every method predicts every held-out target, predictions are scored against
the ground truth (metrics per target, weighted and plain averages), and compared with the published tables."""
