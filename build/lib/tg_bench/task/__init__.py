"""The task every method solves: the protocol, the held-out target, its ground truth, the `Method` interface,
and the training records a method may learn from. Everything above (graph, embed, features, baselines,
transferability, evaluate) builds on these; nothing here imports from them."""
