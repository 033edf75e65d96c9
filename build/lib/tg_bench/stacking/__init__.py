"""Methods built on other methods: a prior guided by a transferability score, and a blend of methods whose
weights are chosen leave-one-dataset-out inside the training datasets (docs/method.md section 15)."""
