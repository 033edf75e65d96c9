"""The one reader of the config folder: a group's options and one option composed through Hydra.

Everything that needs a config file outside a command's own composition (the targets of a zoo, the estimators
of the baselines, a protocol for a figure) asks here, so that a file is found the way a run finds it: in
`tg_bench/conf` (shipped inside the package) and, while a command runs, on its `hydra.searchpath`; and an
option's defaults list and package apply as they do in a run (`stacked_prior` brings its components). Reading
configs does not import torch, so figures and analysis can use it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache

from hydra import compose, initialize_config_dir
from hydra._internal.config_repository import IConfigRepository as ConfigRepository
from hydra.core.global_hydra import GlobalHydra
from hydra.errors import HydraException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from tg_bench.errors import UserInputError
from tg_bench.paths import CONFIG_DIR

#: the Hydra defaults every command composes with
VERSION_BASE = "1.3"


@contextmanager
def composing() -> Iterator[None]:
    """Hydra ready to compose: the running command's (its search path included), else `tg_bench/conf`."""
    if GlobalHydra.instance().is_initialized():
        yield
        return
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base=VERSION_BASE):
        yield


def _search_path() -> tuple[str, ...]:
    """The running command's `hydra.searchpath` (a user's own config folders), as overrides; () outside one."""
    from hydra.core.hydra_config import HydraConfig

    if not HydraConfig.initialized():
        return ()
    extra = [str(path) for path in HydraConfig.get().searchpath]
    return (f"hydra.searchpath=[{','.join(extra)}]",) if extra else ()


def options(group: str, search_path: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """The option names of a config group (`baseline`, `target`, ...), sorted; () for no such group.
    search_path: `hydra.searchpath=[...]` overrides to look in too (None: the running command's)."""
    with composing():
        return _options(group, _search_path() if search_path is None else search_path)


@cache
def _options(group: str, search_path: tuple[str, ...]) -> tuple[str, ...]:
    loader = GlobalHydra.instance().config_loader()
    return tuple(sorted(loader.get_group_options(group, overrides=list(search_path))))


def methods(group: str) -> tuple[str, ...]:
    """The options of `group` that are one buildable object each (`_target_` at their root), without the sets
    that only gather others (`baseline/paper_set`)."""
    return tuple(option for option in options(group) if "_target_" in entry(group, option))


def entry(group: str, option: str) -> DictConfig:
    """`<group>/<option>.yaml` composed on its own (its defaults list applied) and placed at the root.

    Interpolations into the rest of a run's config (`${protocol...}`) are left unresolved. A user error names
    the group and lists its options when there is no such file.
    """
    with composing():
        known = _options(group, _search_path())
        if option not in known:
            raise UserInputError(f"{group}={option}: no such option (choose from {', '.join(known) or 'none'})")
        return _entry(group, option, _search_path()).copy()


@cache
def _entry(group: str, option: str, search_path: tuple[str, ...]) -> DictConfig:
    plain = _plain_option(f"{group}/{option}", search_path)
    if plain is not None:
        return plain
    try:
        # `@_global_` puts the option at the root whatever its `# @package` header says
        return compose(overrides=[*search_path, f"+{group}@_global_={option}"])
    except (HydraException, OmegaConfBaseException) as exc:
        raise UserInputError(f"{group}={option}: {' '.join(str(exc).split())}") from None


def _plain_option(path: str, search_path: tuple[str, ...]) -> DictConfig | None:
    """The file at `path` (`target/glue_cola`) read as it is, when it has no defaults list and no `hydra` node:
    composing such a file gives back its content, and a read skips the composition (~50 ms a file, paid by
    every command that lists the targets or the methods), else None."""
    loaded = _repository(search_path).load_config(config_path=path)
    if loaded is None or loaded.defaults_list or not isinstance(loaded.config, DictConfig):
        return None
    if "hydra" in loaded.config:
        return None
    OmegaConf.set_struct(loaded.config, True)  # as a composed config is
    return loaded.config


@cache
def _repository(search_path: tuple[str, ...]) -> ConfigRepository:
    """The config sources a composition with `search_path` reads, in the same order."""
    from hydra._internal.config_loader_impl import ConfigLoaderImpl

    loader = GlobalHydra.instance().config_loader()
    assert isinstance(loader, ConfigLoaderImpl)
    # Hydra's own step that adds `hydra.searchpath` to the sources (private: no public API hands out a repository)
    return loader._parse_overrides_and_create_caching_repo(None, list(search_path))[1]


def compose_config(
    overrides: Sequence[str] = (), config_name: str = "config", return_hydra_config: bool = False
) -> DictConfig:
    """A command's whole config (`config`, `recommend` or `score`) as the command composes it with `overrides`
    (with the `hydra` node too if `return_hydra_config`: a sweep preset's parameters live there)."""
    with composing():
        try:
            return compose(
                config_name=config_name,
                overrides=[*_search_path(), *overrides],
                return_hydra_config=return_hydra_config,
            )
        except (HydraException, OmegaConfBaseException) as exc:
            raise UserInputError(f"{config_name}: {' '.join(str(exc).split())}") from None


def zoo_targets(zoo: str) -> tuple[str, ...] | None:
    """The evaluation targets of the zoo config `zoo`, or None when there is no such zoo config."""
    if zoo not in options("zoo"):
        return None
    return tuple(str(t) for t in entry("zoo", zoo).targets)


def target_names() -> dict[str, str]:
    """Target config key -> the dataset name it stands for (`glue_cola` -> `glue/cola`)."""
    return {key: str(entry("target", key).name) for key in options("target")}


def target_hub_entries(zoo: str) -> dict[str, dict]:
    """Where each evaluation target of `zoo` with a hub entry in its target config is read from, as
    dataset name -> {path (hub id), config, split (its training split), input_columns, label_column}."""
    entries = {}
    for key in options("target"):
        target = entry("target", key)
        hub = target.get("hub")
        if str(target.get("zoo")) != zoo or hub is None or not hub.get("id"):
            continue
        entries[str(target.name)] = {
            "path": str(hub.id),
            "config": hub.get("config"),
            "split": str(hub.get("train_split") or "train"),
            "input_columns": list(hub.input_columns),
            "label_column": str(hub.get("label_column") or "label"),
        }
    return entries


def estimator_nodes() -> dict[str, DictConfig]:
    """Baseline key -> its `estimator` node, for every baseline computed from model outputs."""
    nodes = {}
    for key in options("baseline"):
        node = entry("baseline", key).get("estimator")
        if node is not None:
            nodes[key] = node
    return nodes


def estimator_methods() -> dict[str, str]:
    """Score metric (the `metric` member scores are keyed by: `LOG_ME`) -> the name of the method that reads it
    (`LogME`), for every baseline computed from model outputs."""
    return {str(node.metric): str(entry("baseline", key).name) for key, node in estimator_nodes().items()}
