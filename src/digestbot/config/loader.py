"""Reading the TOML file into a validated `Config`, or a `ConfigError` listing every problem."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from digestbot.config.envvars import expand_env
from digestbot.config.models import Config
from digestbot.config.overrides import apply_overrides
from digestbot.config.problems import ConfigError, format_validation_error
from digestbot.config.running import ServerConfig

M = TypeVar("M", bound=BaseModel)


def load_config(path: Path, environ: Mapping[str, str] | None = None) -> Config:
    """Parse, apply `DIGESTBOT_<SECTION>_<KEY>` overrides and expand `${VAR}` from `environ`
    (default: the process environment), and validate.

    Raises ConfigError whose `.problems` names every bad key (`telegram.targets[2].variant:
    must be one of top3, top5, full`) in one go; no message contains a secret's value."""
    return _load(path, Config, environ)


def load_server_config(path: Path, environ: Mapping[str, str] | None = None) -> ServerConfig:
    """Only `[server]`, with the same overrides: what `digestbot healthcheck` needs, so it
    works where the secrets the rest of the file names are not at hand."""
    return _load(path, _ServerOnly, environ).server


class _ServerOnly(BaseModel):
    server: ServerConfig = ServerConfig()


def _load(path: Path, model: type[M], environ: Mapping[str, str] | None) -> M:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError([f"{path}: config file not found"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot read: {type(exc).__name__}"]) from None
    except tomllib.TOMLDecodeError as exc:
        # The decoder's message carries a line/column but no values.
        raise ConfigError([f"{path}: not valid TOML: {exc}"]) from None
    env = os.environ if environ is None else environ
    overridden, applied, problems = apply_overrides(raw, env)
    if model is not Config:  # a part of the file: the rest may name secrets not at hand
        overridden = {k: v for k, v in overridden.items() if k in model.model_fields}
    expanded, env_problems, env_paths = expand_env(overridden, env)
    problems += env_problems
    try:
        config = model.model_validate(expanded)
    except ValidationError as exc:
        # A key whose variable is missing already has its problem; don't add a second one.
        problems += [
            line for line in format_validation_error(exc) if line.split(":", 1)[0] not in env_paths
        ]
    else:
        if not problems:
            return config
    raise ConfigError([_name_override(line, applied) for line in problems])


def _name_override(line: str, applied: dict[str, str]) -> str:
    """A problem with an overridden key says where the value came from."""
    where = line.split(":", 1)[0]
    return f"{line} (set by {applied[where]})" if where in applied else line


__all__ = ["load_config", "load_server_config"]
