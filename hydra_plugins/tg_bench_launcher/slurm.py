"""`hydra/launcher=slurm`'s class (`tg_bench/conf/hydra/launcher/slurm.yaml`), registered where Hydra looks for
plugins; the behaviour is `tg_bench.commands.slurm_launcher.SlurmLauncher`'s."""

from tg_bench.commands.slurm_launcher import SlurmLauncher as TgBenchSlurmLauncher


class SlurmLauncher(TgBenchSlurmLauncher):
    """submitit's SLURM launcher, checking the scheduler first and reporting every failed job (docs/cluster.md)."""
