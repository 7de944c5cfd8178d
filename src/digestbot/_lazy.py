"""Light package `__init__` files: a package names its public API without importing it.

`import digestbot.channels.errors` runs `digestbot/channels/__init__.py` first; if that file
imported every submodule, asking for one exception class would load python-telegram-bot,
slack_sdk and aiosmtplib. So each `__init__` lists where its names live, and a name's module is
imported the first time the name is used (PEP 562 module `__getattr__`). Type checkers read the
same names from the `if TYPE_CHECKING:` imports beside the table, and
tests/test_import_graph.py checks that the table, those imports and `__all__` agree."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any


def lazy_exports(
    package: str, exports: Mapping[str, Sequence[str]]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """`__getattr__` and `__dir__` for `package`, whose `exports` map a submodule name
    (relative, e.g. "errors") to the public names it defines."""
    where = {name: module for module, names in exports.items() for name in names}
    namespace = sys.modules[package]

    def load(name: str) -> Any:
        value = getattr(importlib.import_module(f"{package}.{where[name]}"), name)
        setattr(namespace, name, value)  # later lookups skip __getattr__
        return value

    def __getattr__(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return load(name)

    def __dir__() -> list[str]:
        return sorted(set(vars(namespace)) | set(where))

    # A name spelled like a submodule (parsing.normalize the function, in parsing/normalize.py)
    # is bound now: importing that submodule later would set the package attribute to the
    # module itself, and `from package import name` would hand out the module.
    for name in where.keys() & exports.keys():
        load(name)
    return __getattr__, __dir__


__all__ = ["lazy_exports"]
