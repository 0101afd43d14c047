"""The fake books the simulator serves: every subpackage of `simulator` exposing `BOOK`.

A new book is a new subpackage (`simulator/<name>/__init__.py` sets `BOOK = TheBook`);
nothing else needs to learn its name.
"""

from __future__ import annotations

import importlib
import pkgutil

import simulator
from simulator.book import Book


def book_classes() -> list[type[Book]]:
    """Every book class, sorted by name (DraftKings's module is the model's own)."""
    found: list[type[Book]] = []
    for module in pkgutil.iter_modules(simulator.__path__):
        if not module.ispkg:
            continue
        book = getattr(importlib.import_module(f"simulator.{module.name}"), "BOOK", None)
        if isinstance(book, type) and issubclass(book, Book):
            found.append(book)
    return sorted(found, key=lambda cls: cls.name)
