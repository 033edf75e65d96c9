"""Data-agnostic baselines: methods that rank models without any transferability estimate or graph (the zoo
prior, random scores). Transferability baselines live in `tg_bench.transferability`."""
