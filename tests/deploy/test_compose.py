"""compose.yaml, parsed as Compose does (interpolation, then the Compose Specification's own
parser) and checked for what an operator relies on: secrets only as files, the database on a
named volume and off the network, migrations before the service, /metrics kept in."""

from __future__ import annotations

import json
import os
import re
import subprocess
import tomllib
from collections.abc import Mapping
from typing import Any

import pytest
import yaml
from compose_spec import PyCompose

from digestbot.config.overrides import OVERRIDABLE, env_name
from tests.conftest import REPO
from tests.deploy.tools import required_tool

COMPOSE = REPO / "compose.yaml"
CADDYFILE = REPO / "deploy" / "Caddyfile"
_VARIABLE = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")


def interpolate(text: str, env: Mapping[str, str]) -> str:
    """Compose's `${VAR}`, `${VAR:-default}`, `${VAR:?error}` and `$$` rules."""

    def substitute(match: re.Match[str]) -> str:
        name, operator, argument = match.groups()
        if name is None:
            return "$"
        value = env.get(name)
        empty = value is None or (value == "" and operator and operator.startswith(":"))
        if operator and operator.endswith("-") and empty:
            return argument
        if operator and operator.endswith("?") and empty:
            raise ValueError(f"required variable {name}: {argument}")
        return value or ""

    return _VARIABLE.sub(substitute, text)


def _compose(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    text = interpolate(COMPOSE.read_text(encoding="utf-8"), env or {})
    loaded = yaml.safe_load(text)  # resolves the `<<: *digestbot` merges, as Compose does
    assert isinstance(loaded, dict)
    # The Compose Specification's own parser (Rust `compose_spec`): raises on any error.
    PyCompose.from_json(json.dumps(loaded)).validate()
    return loaded


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return _compose()


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    assert isinstance(env, dict), "environment as a mapping keeps the file readable"
    return {k: str(v) for k, v in env.items()}


def test_the_spec_parser_rejects_what_compose_would(compose: dict[str, Any]) -> None:
    # The check above is only worth something if it fails on a broken file.
    broken = COMPOSE.read_text(encoding="utf-8").replace("restart: unless-stopped", "restrat: x")
    with pytest.raises(ValueError, match="restrat"):
        PyCompose.from_json(json.dumps(yaml.safe_load(interpolate(broken, {})))).validate()


def test_no_secret_travels_in_the_environment(compose: dict[str, Any]) -> None:
    assert "env_file" not in COMPOSE.read_text(encoding="utf-8")
    secret_words = ("TOKEN", "PASSWORD", "SECRET", "SMTP_USER")
    for name, service in compose["services"].items():
        for key, value in _environment(service).items():
            if any(word in key for word in secret_words):
                assert key.endswith("_FILE"), f"{name}: {key} must be a _FILE"
                assert value.startswith("/run/secrets/"), f"{name}: {key}"
                assert value.removeprefix("/run/secrets/") in service["secrets"], key
            # A URL may name a variable (read from its file by digestbot), never hold a value.
            assert not re.search(r"://[^/@]*:[^$/@][^/@]*@", value), f"{name}: {key}"


def test_every_secret_is_a_file_under_secrets(compose: dict[str, Any]) -> None:
    for name, secret in compose["secrets"].items():
        assert secret == {"file": f"./secrets/{name}"}
    used = {s for service in compose["services"].values() for s in service.get("secrets", [])}
    assert used == set(compose["secrets"])


def test_every_secret_the_example_config_names_has_a_file(compose: dict[str, Any]) -> None:
    example = (REPO / "config" / "digestbot.example.toml").read_text(encoding="utf-8")
    tomllib.loads(example)  # still a valid file
    named = set(re.findall(r"^[^#\n]*\$\{([A-Z_]+)\}", example, flags=re.MULTILINE))
    assert {"TELEGRAM_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SMTP_PASSWORD"} <= named
    env = _environment(compose["services"]["digestbot"])
    for variable in named:
        assert f"{variable}_FILE" in env, variable


def test_digestbot_and_migrate_share_one_definition(compose: dict[str, Any]) -> None:
    run, migrate = compose["services"]["digestbot"], compose["services"]["migrate"]
    for key in ("image", "build", "environment", "secrets", "volumes"):
        assert run[key] == migrate[key], key
    assert run["command"] == ["digestbot", "run"]
    assert migrate["command"] == ["digestbot", "migrate"]


def test_the_store_and_paths_point_inside_the_compose_project(compose: dict[str, Any]) -> None:
    env = _environment(compose["services"]["digestbot"])
    assert set(env) & {env_name(key) for key in OVERRIDABLE} == {
        "DIGESTBOT_STORE_URL",
        "DIGESTBOT_SOURCE_PATH",
        "DIGESTBOT_SERVER_PORT",
    }
    db = _environment(compose["services"]["db"])
    assert env["DIGESTBOT_STORE_URL"] == (
        f"postgresql+psycopg://{db['POSTGRES_USER']}:${{POSTGRES_PASSWORD}}"
        f"@db:5432/{db['POSTGRES_DB']}"
    )
    assert env["POSTGRES_PASSWORD_FILE"] == db["POSTGRES_PASSWORD_FILE"]
    assert "./issues:/issues:ro" in compose["services"]["digestbot"]["volumes"]
    assert env["DIGESTBOT_SOURCE_PATH"] == "/issues"


def test_postgresql_keeps_its_data_on_a_named_volume_off_the_network(
    compose: dict[str, Any],
) -> None:
    db = compose["services"]["db"]
    assert "pgdata:/var/lib/postgresql/data" in db["volumes"]
    assert "pgdata" in compose["volumes"]
    assert "ports" not in db
    assert db["healthcheck"]["test"][0] == "CMD"


def test_long_running_services_restart_and_the_migration_runs_once(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    for name in ("db", "digestbot", "caddy"):
        assert services[name]["restart"] == "unless-stopped", name
    assert services["migrate"]["restart"] == "no"
    assert services["migrate"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert services["digestbot"]["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "migrate": {"condition": "service_completed_successfully"},
    }


def test_digestbot_is_published_on_loopback_unless_told_otherwise() -> None:
    port = _environment(_compose()["services"]["digestbot"])["DIGESTBOT_SERVER_PORT"]
    assert _compose()["services"]["digestbot"]["ports"] == [f"127.0.0.1:8080:{port}"]
    public = _compose({"DIGESTBOT_PUBLISH": "0.0.0.0:8080"})
    assert public["services"]["digestbot"]["ports"] == [f"0.0.0.0:8080:{port}"]


def test_caddy_is_the_https_profile_in_front_of_digestbot(compose: dict[str, Any]) -> None:
    caddy = compose["services"]["caddy"]
    assert caddy["profiles"] == ["https"]
    assert {"80:80", "443:443"} <= set(caddy["ports"])
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in caddy["volumes"]
    assert any(v.startswith("caddy-data:/data") for v in caddy["volumes"])
    assert "profiles" not in compose["services"]["digestbot"]
    port = _environment(compose["services"]["digestbot"])["DIGESTBOT_SERVER_PORT"]
    assert f"reverse_proxy digestbot:{port}" in CADDYFILE.read_text(encoding="utf-8")
    domain = _compose({"DIGESTBOT_DOMAIN": "digest.example.org"})["services"]["caddy"]
    assert domain["environment"]["DIGESTBOT_DOMAIN"] == "digest.example.org"


def test_the_caddyfile_is_valid_and_answers_metrics_with_404() -> None:
    caddy = required_tool("caddy", "caddy")
    result = subprocess.run(
        [caddy, "adapt", "--config", str(CADDYFILE), "--adapter", "caddyfile", "--validate"],
        env={**os.environ, "DIGESTBOT_DOMAIN": "digest.example.org"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    routes = str(yaml.safe_load(result.stdout))
    assert "'host': ['digest.example.org']" in routes
    assert "'path': ['/metrics', '/metrics/*']" in routes and "'status_code': 404" in routes
    assert "'dial': 'digestbot:8080'" in routes
