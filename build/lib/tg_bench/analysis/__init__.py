"""From finished runs to tables: the tidy table, seed statistics, paired intervals, the published values."""
