"""The regressor's feature table: metadata, graph embeddings and dataset distance per (model, dataset) row."""
