"""The two evaluation protocols of docs/method.md as one typed record (the `protocol` config group)."""

from __future__ import annotations

from dataclasses import dataclass

from tg_bench.errors import UserInputError

PROTOCOLS = ("paper", "clean")


@dataclass(frozen=True)
class Protocol:
    """How ground truth, candidate models and features are built.

    name: `paper` reproduces the authors' pipeline including its quirks; `clean` is the leakage-free protocol.
    """

    name: str

    def __post_init__(self) -> None:
        if self.name not in PROTOCOLS:
            raise UserInputError(f"unknown protocol {self.name!r}; choose one of {', '.join(PROTOCOLS)}")

    @property
    def is_paper(self) -> bool:
        return self.name == "paper"

    @property
    def lora_dropped_first(self) -> bool:
        """Clean: drop LoRA rows before picking each model's best run (paper picks over all rows, then drops)."""
        return not self.is_paper

    @property
    def one_row_per_model(self) -> bool:
        """Clean: one prediction per (target, model); paper keeps one per fine-tuning record."""
        return not self.is_paper

    @property
    def uses_train_runtime(self) -> bool:
        """Paper uses the target fine-tune's `train_runtime` as a feature (leakage)."""
        return self.is_paper
