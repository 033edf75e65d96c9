"""Regressors that predict fine-tuning accuracy from the feature table, and the TransferGraph methods."""
