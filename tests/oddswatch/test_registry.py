import pytest

from oddswatch.errors import UnknownPlugin
from oddswatch.registry import Registry


class Plugin:
    name = "a"


def test_registry_finds_and_refuses_duplicates() -> None:
    reg: Registry[object] = Registry("thing")
    reg.register(Plugin)
    assert reg.get("a") is Plugin
    reg.register(Plugin)  # the same class again is harmless
    other = type("Other", (), {"name": "a"})
    with pytest.raises(ValueError, match="duplicate"):
        reg.register(other)
    with pytest.raises(UnknownPlugin, match="known: a"):
        reg.get("b")
