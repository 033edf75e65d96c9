"""Transferability: estimators computed from a model's outputs on a target's data (LogME, LEEP, NCE, ...), the
scoring pipeline of `tg-bench score`, score records in the published layout, and the baseline that ranks models
by an estimator's stored scores. Data-agnostic baselines live in `tg_bench.baselines`."""
