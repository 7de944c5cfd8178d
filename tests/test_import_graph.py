"""The import graph follows the flow top to bottom: importing a module never loads a layer
above it, nor a peer it has no business with, nor that peer's third-party libraries.

Two views of the same rule (the layer table below):
- every module-level import of every module, read from the source (fast, and names the line);
- what `sys.modules` really holds after importing each package with every name in its
  `__all__` (everything it offers), each in a fresh process forked from one interpreter that
  has loaded nothing of digestbot."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "digestbot"

# What each part of digestbot may load besides itself (and, transitively, what those may
# load). Keys and values are module paths below `digestbot`; a key covers its submodules and
# the most specific key applies.
MAY_USE: dict[str, set[str]] = {
    "_lazy": set(),
    "model": set(),
    "notices": set(),
    "changes": {"model"},
    "payloads": {"model"},
    "unsubscribe_token": set(),
    "resources": set(),
    "issue_pages": set(),
    "ratelimit": set(),
    "readiness": {"model"},
    "parsing": {"model", "input_limits"},
    "store": {"model", "store.url"},
    "store.url": set(),
    "config": {"model", "notices", "store.url", "input_limits"},
    "input_limits": set(),
    "rendering": {"payloads", "resources", "issue_pages", "changes"},
    "channels": {"payloads", "unsubscribe_token", "signup.tokens"},
    "sources": {"config"},
    "watcher": {"checking", "notices", "readiness", "sources"},
    "checking": {"config", "model", "parsing", "payloads", "readiness", "rendering"},
    "delivery": {
        "channels", "config", "notices", "rendering", "store", "ratelimit", "readiness",
    },
    "bot": {
        "bot.commands", "bot.keyboards", "bot.throttle", "channels", "config", "delivery",
        "rendering", "store",
        "ratelimit", "notices",
    },
    "bot.commands": {"model"},
    "bot.keyboards": {"payloads"},
    "bot.throttle": set(),
    "published": {"bot.commands", "parsing", "store"},
    "web": {"issue_pages", "parsing", "rendering", "store"},
    "signup": {"channels", "config", "delivery", "rendering", "store", "web"},
    "signup.desk": {"channels.errors", "rendering", "store", "web", "signup.tokens"},
    "signup.tokens": {"model"},
    "server": {
        "bot.commands", "bot.throttle", "channels.redact", "rendering", "signup.desk", "store",
        "web",
    },
    "service": {
        "bot", "channels", "config", "delivery", "parsing", "rendering", "server",
        "sources", "store", "ratelimit", "watcher", "web", "published", "signup", "checking",
        "notices",
    },
    "cli": {
        "channels", "config", "delivery", "parsing", "rendering", "service", "sources",
        "store", "readiness", "web", "checking",
    },
}
ALWAYS = {"digestbot", "digestbot._lazy"}

# Third-party libraries only these parts of digestbot import directly.
OWNERS: dict[str, set[str]] = {
    "sqlalchemy": {"store"},
    "alembic": {"store"},
    "psycopg": {"store"},
    "pydantic": {"config"},
    "jinja2": {"rendering", "web"},
    "markupsafe": {"rendering"},
    "css_inline": {"rendering.email"},
    "bs4": {"rendering.email", "parsing"},
    "markdownify": {"rendering.email", "parsing"},
    "telegram": {"channels.telegram_http", "channels.telegram_ptb", "bot"},
    "slack_sdk": {"channels.slack", "server"},
    "aiohttp": {
        "channels.slack", "channels.telegram_pool", "channels.telegram_http",
        "channels.telegram_ptb", "server",
    },
    "aiosmtplib": {"channels.smtp", "channels.smtp_pipeline"},
    "httpx": {"sources", "server", "bot", "checking.links"},
    "feedparser": {"sources"},
    "starlette": {"server"},
    "uvicorn": {"server"},
    "prometheus_client": {"server"},
    "apscheduler": {"service"},
    "typer": {"cli"},
    "rich": {"cli"},
}

# What the issue that asked for this test named (module → what importing it must not load).
NAMED: dict[str, set[str]] = {
    "digestbot.channels.errors": {
        "digestbot.rendering", "css_inline", "bs4", "jinja2", "telegram", "slack_sdk",
        "aiosmtplib",
    },
    "digestbot.channels": {"digestbot.rendering", "css_inline", "bs4", "jinja2"},
    "digestbot.config": {"sqlalchemy", "alembic", "digestbot.store.engine"},
    # Issue 14: the CLI starts at once; each command loads what it uses when it runs
    # (tests/test_cli_imports.py runs them).
    "digestbot.cli": {"slack_sdk", "aiohttp", "bs4", "alembic", "apscheduler"},
    # A broadcast Telegram accepts needs no python-telegram-bot (nor its httpx), its ledger
    # no ORM: PTB is for edits, deletes, the bot and failed answers (channels/telegram_ptb).
    "digestbot.channels.telegram": {"telegram", "httpx"},
    "digestbot.store.store": {"sqlalchemy.orm"},
    "digestbot.server.slack_commands": {
        "telegram", "digestbot.delivery", "digestbot.store.store", "sqlalchemy",
    },
}

# Importing these runs something (the CLI, Alembic's migration environment).
NOT_IMPORTABLE = ("digestbot.__main__", "digestbot.store.migrations")


def _name(path: Path) -> str:
    parts = ["digestbot", *path.relative_to(SRC).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = sorted(
    name for path in SRC.rglob("*.py") if not (name := _name(path)).startswith(NOT_IMPORTABLE)
)
PACKAGES = sorted(
    name
    for path in SRC.rglob("__init__.py")
    if not (name := _name(path)).startswith(NOT_IMPORTABLE) and name != "digestbot"
)


def _source(module: str) -> Path:
    base = SRC.joinpath(*module.split(".")[1:])
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


def _is_type_checking(node: ast.If) -> bool:
    return ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")


def _runtime_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Imports that run when the module is imported: module level, outside functions and
    `if TYPE_CHECKING:` bodies."""
    found: list[ast.Import | ast.ImportFrom] = []
    todo: list[ast.stmt] = list(tree.body)
    while todo:
        node = todo.pop(0)
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        elif isinstance(node, ast.If):
            todo.extend(node.orelse if _is_type_checking(node) else [*node.body, *node.orelse])
        elif isinstance(node, ast.Try):
            todo.extend([*node.body, *node.orelse, *node.finalbody])
            for handler in node.handlers:
                todo.extend(handler.body)
    return found


@cache
def _lazy_table(package: str) -> dict[str, str]:
    """name → submodule for a package whose __init__ resolves names lazily."""
    table: dict[str, str] = {}
    tree = ast.parse(_source(package).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "lazy_exports":
            mapping = node.args[1]
            assert isinstance(mapping, ast.Dict)
            for key, names in zip(mapping.keys, mapping.values, strict=True):
                assert key is not None
                for name in ast.literal_eval(names):
                    table[name] = f"{package}.{ast.literal_eval(key)}"
    return table


def _imported_modules(module: str) -> list[tuple[int, str]]:
    """(line, module) for each module `module` imports when it is imported."""
    tree = ast.parse(_source(module).read_text(encoding="utf-8"))
    result: list[tuple[int, str]] = []
    for node in _runtime_imports(tree):
        if isinstance(node, ast.Import):
            result += [(node.lineno, alias.name) for alias in node.names]
            continue
        assert node.level == 0, f"{module}:{node.lineno}: relative import"
        assert node.module is not None
        source = node.module
        if source in PACKAGES or source == "digestbot":
            table = _lazy_table(source) if source != "digestbot" else {}
            for alias in node.names:
                target = table.get(alias.name, f"{source}.{alias.name}")
                if target in MODULES or target.startswith(NOT_IMPORTABLE):
                    result.append((node.lineno, target))
                else:
                    result.append((node.lineno, source))
        else:
            result.append((node.lineno, source))
    return result


def _key(module: str) -> str | None:
    """The most specific MAY_USE key covering `module` (dotted, below digestbot)."""
    parts = module.split(".")
    while parts:
        key = ".".join(parts)
        if key in MAY_USE:
            return key
        parts.pop()
    return None


def _within(module: str, area: str) -> bool:
    return module == area or module.startswith(f"{area}.")


def _may_use(module: str) -> set[str]:
    """Every area `module` (below digestbot) may load: its key's list, and theirs in turn."""
    key = _key(module)
    seen: set[str] = set()
    todo = list(MAY_USE[key]) if key else []
    while todo:
        area = todo.pop()
        if area not in seen:
            seen.add(area)
            used = _key(area)
            todo.extend(MAY_USE[used] if used else ())
    return seen


def _allowed(module: str, loaded: str) -> bool:
    """May `module` load the digestbot module `loaded`?"""
    if loaded in ALWAYS or loaded in PACKAGES:  # package inits are light (tested below)
        return True
    inner, own = loaded.removeprefix("digestbot."), module.removeprefix("digestbot.")
    own_key, inner_key = _key(own), _key(inner)
    return (
        _within(inner, own)  # a package's own submodules
        or inner_key == own_key  # a sibling in the same part of the program
        # a part of its own package with a narrower table entry (bot.commands for bot)
        or bool(own_key and inner_key and inner_key.startswith(f"{own_key}."))
        or any(_within(inner, area) for area in _may_use(own))
    )


@pytest.mark.parametrize("module", MODULES)
def test_every_import_goes_down_the_layers(module: str) -> None:
    own = module.removeprefix("digestbot.")
    wrong = []
    for line, imported in _imported_modules(module):
        top = imported.split(".")[0]
        if top == "digestbot":
            if not _allowed(module, imported):
                wrong.append(f"line {line}: {imported}")
        elif top in OWNERS and not any(_within(own, owner) for owner in OWNERS[top]):
            wrong.append(f"line {line}: {imported} (only {sorted(OWNERS[top])} use it)")
    assert wrong == [], f"{module} may use {sorted(_may_use(own))}, but imports {wrong}"


_HELPER = r"""
import importlib, json, os, sys
results = {}
for name in json.load(sys.stdin):
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            module = importlib.import_module(name)
            if hasattr(module, "__path__"):
                for export in getattr(module, "__all__", ()):
                    getattr(module, export)
            payload = {"modules": sorted(sys.modules)}
        except BaseException as exc:
            payload = {"error": f"{type(exc).__name__}: {exc}"}
        with os.fdopen(write, "w") as out:
            json.dump(payload, out)
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as inp:
        results[name] = json.load(inp)
    os.waitpid(pid, 0)
json.dump(results, sys.stdout)
"""
# The top of the flow may load everything; checking it would prove nothing and cost seconds.
_TOP = ("digestbot.cli", "digestbot.service")
LOADED_CHECKS = sorted(
    {*(p for p in PACKAGES if not p.startswith(_TOP)), *NAMED}
    | {m for m in MODULES if m.count(".") == 1 and not m.startswith(_TOP)}
)


@cache
def _loaded() -> dict[str, dict[str, object]]:
    """module → {"modules": sys.modules after importing it} (or {"error": …})."""
    done = subprocess.run(
        [sys.executable, "-c", _HELPER],
        input=json.dumps(LOADED_CHECKS),
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    result: dict[str, dict[str, object]] = json.loads(done.stdout)
    return result


def _loaded_modules(module: str) -> list[str]:
    outcome = _loaded()[module]
    assert "error" not in outcome, outcome["error"]
    modules = outcome["modules"]
    assert isinstance(modules, list)
    return modules


@pytest.mark.slow
@pytest.mark.parametrize("module", LOADED_CHECKS)
def test_importing_a_package_loads_only_the_layers_below_it(module: str) -> None:
    ours = [m for m in _loaded_modules(module) if m.startswith("digestbot.")]
    reaching = sorted(m for m in ours if m != module and not _allowed(module, m))
    own = module.removeprefix("digestbot.")
    assert reaching == [], f"{module} loads {reaching}; it may use {sorted(_may_use(own))}"


@pytest.mark.slow
@pytest.mark.parametrize(("module", "forbidden"), sorted(NAMED.items()), ids=sorted(NAMED))
def test_the_imports_the_issue_named_stay_light(module: str, forbidden: set[str]) -> None:
    found = sorted(m for m in _loaded_modules(module) if any(_within(m, f) for f in forbidden))
    assert found == []


@pytest.mark.parametrize("package", PACKAGES)
def test_package_inits_import_nothing_eagerly_and_list_what_they_offer(package: str) -> None:
    """A light __init__: at runtime it imports only the lazy table's helper; the names type
    checkers see, the names the table resolves and `__all__` are the same set."""
    init = _source(package)
    tree = ast.parse(init.read_text(encoding="utf-8"))
    eager = [m for _, m in _imported_modules(package) if m not in ("typing", "__future__")]
    if package == "digestbot.cli":  # the top: it registers its commands by importing them
        return
    assert eager == ["digestbot._lazy"], f"{init}: imports {eager} when imported"
    typed = {
        alias.name
        for node in tree.body
        if isinstance(node, ast.If) and _is_type_checking(node)
        for stmt in node.body
        if isinstance(stmt, ast.ImportFrom)
        for alias in stmt.names
    }
    exported: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "__all__":
            exported = set(ast.literal_eval(node.value))
    assert exported, f"{init}: no __all__"
    assert typed == set(_lazy_table(package)) == exported
