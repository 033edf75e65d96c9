"""Baselines that score models without the graph: published transferability scores, zoo prior, random."""
