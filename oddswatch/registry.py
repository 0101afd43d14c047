"""Plugin registries: classes with a `name`, found by name, built by `from_settings`.

A duplicate name fails loudly at registration; an unknown name raises UnknownPlugin.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from oddswatch.errors import UnknownPlugin

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._classes: dict[str, type[T]] = {}

    def register(self, cls: type[T]) -> type[T]:
        name: str = getattr(cls, "name", "")
        if not name:
            raise TypeError(f"{self.kind} {cls.__qualname__} has no name")
        existing = self._classes.get(name)
        if existing is not None and existing is not cls:
            raise ValueError(f"duplicate {self.kind} name {name!r}: {existing} and {cls}")
        self._classes[name] = cls
        return cls

    def get(self, name: str) -> type[T]:
        try:
            return self._classes[name]
        except KeyError:
            known = ", ".join(sorted(self._classes)) or "none"
            raise UnknownPlugin(f"unknown {self.kind} {name!r} (known: {known})") from None

    def names(self) -> list[str]:
        return sorted(self._classes)
