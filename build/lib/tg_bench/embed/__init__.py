"""Node embeddings of a `ZooGraph`: node2vec, node2vec+, GraphSAGE, GAT, or none."""
