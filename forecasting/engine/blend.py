"""What a series is forecast with: one model, or a weighted blend of several.

A :class:`Blend` is the single place that knows how a choice is named (``ets``, or
``combo:ets+lightgbm`` for a blend) and how it is stored (``{"models": [...], "weights":
[...]}``); the engine, the writer, pins and pages all go through it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

COMBO_PREFIX = "combo:"


@dataclass(frozen=True)
class Blend:
    """Models in name order with their relative integer weights (one model: weight 1)."""

    models: tuple[str, ...]
    weights: tuple[int, ...]

    def __post_init__(self) -> None:
        if not self.models or len(self.models) != len(self.weights):
            raise ValueError("a blend needs one weight per model")
        if any(int(w) != w or w <= 0 for w in self.weights):
            raise ValueError(f"blend weights must be positive integers, not {self.weights}")
        pairs = sorted(zip(self.models, (int(w) for w in self.weights), strict=True))
        object.__setattr__(self, "models", tuple(m for m, _ in pairs))
        object.__setattr__(self, "weights", tuple(w for _, w in pairs))

    @classmethod
    def single(cls, model: str) -> Blend:
        return cls((model,), (1,))

    @classmethod
    def equal(cls, models: Iterable[str]) -> Blend:
        models = tuple(models)
        return cls(models, (1,) * len(models))

    @classmethod
    def from_name(cls, name: str) -> Blend:
        """The blend a name stands for, its models weighed equally (``combo:a+b`` → a, b)."""
        if name.startswith(COMBO_PREFIX):
            return cls.equal(name.removeprefix(COMBO_PREFIX).split("+"))
        return cls.single(name)

    @classmethod
    def from_json(cls, value: dict) -> Blend:
        return cls(tuple(value["models"]), tuple(int(w) for w in value["weights"]))

    def to_json(self) -> dict:
        return {"models": list(self.models), "weights": list(self.weights)}

    @property
    def is_single(self) -> bool:
        return len(self.models) == 1

    @property
    def name(self) -> str:
        """``ets`` for one model, ``combo:ets+lightgbm`` for a blend."""
        if self.is_single:
            return self.models[0]
        return COMBO_PREFIX + "+".join(self.models)

    def shares(self) -> list[tuple[str, int]]:
        """Each model with its rounded percentage of the blend."""
        total = sum(self.weights)
        return [(m, round(100 * w / total)) for m, w in zip(self.models, self.weights, strict=True)]
