"""tg-bench's Hydra launcher plugin: Hydra instantiates launchers only from the `hydra_plugins` namespace, so the
class `hydra/launcher=slurm` names lives here; its code is `tg_bench.commands.slurm_launcher`."""
