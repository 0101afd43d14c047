"""docker-compose.yml, the Dockerfile and .dockerignore, checked without a Docker engine.

Every command is parsed by the real CLI it names (celery's click commands with the
`workers` app, Flower's options, the `oddswatch` typer app); every queue the routing knows
has a worker and every worker a real queue; nothing is published beyond localhost;
celery is PID 1 with time for a warm shutdown; start-up order waits on health; every
long-running service restarts, one-shots do not; a fresh clone needs no variable set;
Flower's password is generated into a volume and read from a file, on no command line;
the simulator serves every monitored league; the image brings Playwright's Chromium and
runs as a non-root user.
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
import pytest
import typer.main
import yaml
from celery.bin.base import CLIContext
from celery.bin.celery import celery as celery_cli
from flower.options import options as flower_options

import workers
from cli import flower_auth
from cli import main as cli
from oddswatch.settings import Settings
from providers.base import load_builtin, providers
from workers.routing import queues

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"

STACK = {"redis", "postgres", "migrate", "simulator", "beat", "flower-auth", "flower"}
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}
LOOPBACK = {"127.0.0.1", "::1"}
MIN_WORKER_GRACE_S = 30.0
# What compose interpolates with in these tests: nothing, as on a fresh clone.
COMPOSE_ENV: dict[str, str] = {}
RESTARTS = {"always", "unless-stopped"}

_INTERPOLATION = re.compile(r"\$\$|\$\{(\w+)(?:(:?[-?+])([^}]*))?\}|\$(\w+)")
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(us|ms|s|m|h)")
_DURATION_S = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


class ComposeError(Exception):
    """What `docker compose` itself would refuse, e.g. a required variable unset."""


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's `$$`, `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR:?error}`, `${VAR:+alt}`."""

    def one(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group(1) or match.group(4), match.group(2) or "", match.group(3)
        value = env.get(name)
        missing = value is None or (op.startswith(":") and value == "")
        if op.endswith("?") and missing:
            raise ComposeError(f"required variable {name} is missing: {arg}")
        if op.endswith("-") and missing:
            return arg or ""
        if op.endswith("+"):
            return "" if missing else arg or ""
        return value or ""

    return _INTERPOLATION.sub(one, text)


def resolve(node: Any, env: dict[str, str]) -> Any:
    if isinstance(node, str):
        return interpolate(node, env)
    if isinstance(node, list):
        return [resolve(item, env) for item in node]
    if isinstance(node, dict):
        return {key: resolve(value, env) for key, value in node.items()}
    return node


RAW = yaml.safe_load(COMPOSE.read_text())
SERVICES: dict[str, dict[str, Any]] = resolve(RAW["services"], COMPOSE_ENV)
APP = sorted(name for name, svc in SERVICES.items() if "build" in svc)
CELERY = sorted(name for name in APP if SERVICES[name]["command"][0] == "celery")
WORKERS = sorted(name for name in CELERY if SERVICES[name]["command"][3] == "worker")


def argv(name: str) -> list[str]:
    command = SERVICES[name].get("command")
    assert isinstance(command, list), f"{name}: command must be an exec-form list (PID 1)"
    return [str(part) for part in command]


def celery_context(args: list[str]) -> click.Context:
    """Parse a celery command line with celery's own click command; raises if invalid."""
    assert args[:3] == ["celery", "-A", "workers"], f"not a `celery -A workers` command: {args}"
    sub, rest = args[3], args[4:]
    assert sub in celery_cli.commands, f"celery has no command {sub!r}"
    obj = CLIContext(app=workers.app, no_color=True, workdir=None, quiet=True)
    ctx = celery_cli.commands[sub].make_context(sub, list(rest), obj=obj)
    if sub == "flower":
        for option in ctx.params["tornado_argv"]:
            name = option.lstrip("-").partition("=")[0].replace("-", "_")
            assert name in flower_options, f"flower has no option {option!r}"
    return ctx


def oddswatch_context(args: list[str]) -> Any:
    """Parse an `oddswatch` command line with the typer app's own commands."""
    commands = typer.main.get_command(cli.app).commands  # type: ignore[attr-defined]
    sub = args[1]
    assert sub in commands, f"oddswatch has no command {sub!r}"
    return commands[sub].make_context(sub, args[2:])


def option(args: list[str], *names: str) -> str:
    for i, arg in enumerate(args):
        if arg in names:
            return args[i + 1]
    raise AssertionError(f"none of {names} in {args}")


def seconds(duration: str) -> float:
    parts = _DURATION.findall(duration)
    assert parts and "".join(n + u for n, u in parts) == duration, f"bad duration {duration!r}"
    return sum(float(n) * _DURATION_S[u] for n, u in parts)


def container_settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The settings a container sees: the shared compose environment, no host `OW_*`."""
    for name in [name for name in os.environ if name.startswith("OW_")]:
        monkeypatch.delenv(name)
    for name, value in shared_env().items():
        monkeypatch.setenv(name, value)
    return Settings(_env_file=None)  # type: ignore[call-arg]


def names_a_setting(key: str) -> bool:
    """`OW_<FIELD>` of Settings, or `OW_<PROVIDER>__<FIELD>` of a provider's settings group."""
    field, _, nested = key[3:].lower().partition("__")
    load_builtin()
    if field in providers.names():
        return nested in providers.get(field).settings_model.model_fields
    return field in Settings.model_fields and not nested


def shared_env() -> dict[str, str]:
    env = RAW.get("x-env")
    assert isinstance(env, dict), "the shared environment is the `x-env` block"
    return {key: str(value) for key, value in resolve(env, COMPOSE_ENV).items()}


def test_compose_parses_and_holds_the_stack() -> None:
    assert set(SERVICES) >= STACK, f"missing services: {STACK - set(SERVICES)}"
    assert WORKERS, "no celery worker service"
    assert {"redis-data", "postgres-data"} <= set(RAW.get("volumes") or {})


@pytest.mark.parametrize("name", APP)
def test_every_command_names_a_real_command(name: str) -> None:
    args = argv(name)
    if args[0] == "celery":
        celery_context(args)
    elif args[0] == "oddswatch":
        oddswatch_context(args)
    else:
        pytest.fail(f"{name}: {args[0]!r} is neither `celery -A workers` nor `oddswatch`")


@pytest.mark.parametrize("name", WORKERS)
def test_worker_healthcheck_pings_its_own_node(name: str) -> None:
    node = option(argv(name), "-n", "--hostname")
    assert node.endswith("@%h"), f"{name}: node name must end in @%h (unique per replica)"
    test = SERVICES[name]["healthcheck"]["test"]
    assert test[0] == "CMD-SHELL"
    ping = shlex.split(test[1])
    ctx = celery_context(ping)
    assert ctx.params["command"] == "ping"
    assert ctx.params["destination"] == [node.replace("%h", "$HOSTNAME")]


def test_every_queue_has_a_worker_and_every_worker_a_queue(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    routed = set(queues(container_settings(monkeypatch).leagues))
    consumed = {queue for name in WORKERS for queue in celery_context(argv(name)).params["queues"]}
    assert consumed <= routed, f"workers consume unknown queues: {consumed - routed}"
    assert routed <= consumed, f"queues without a worker: {routed - consumed}"


def test_shared_env_names_real_settings_and_compose_hosts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for key in shared_env():
        assert key.startswith("OW_"), key
        assert names_a_setting(key), f"{key} names no setting"
    for name in APP:
        env = {key: str(value) for key, value in SERVICES[name]["environment"].items()}
        assert shared_env().items() <= env.items(), f"{name} lacks the shared environment"
    settings = container_settings(monkeypatch)
    assert settings.mode == "demo"
    for url in (settings.broker_url, settings.redis_url, settings.database_url):
        assert urlsplit(url).hostname in SERVICES, f"{url} is not a compose service"
    assert urlsplit(settings.simulator_url).hostname in SERVICES


def host_ip(port: Any) -> str | None:
    """The address a `ports:` entry binds on the host; None means every interface."""
    if isinstance(port, dict):
        return port.get("host_ip")
    spec = str(port).partition("/")[0]
    if spec.startswith("["):
        return spec[1:].partition("]")[0]
    parts = spec.split(":")
    return parts[0] if len(parts) == 3 else None


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_nothing_is_published_beyond_localhost(name: str) -> None:
    service = SERVICES[name]
    assert service.get("network_mode") != "host", f"{name} shares the host's network"
    for port in service.get("ports") or []:
        assert host_ip(port) in LOOPBACK, f"{name} publishes {port!r} beyond 127.0.0.1"


def mounts(name: str) -> dict[str, str]:
    """A service's named-volume mounts: container path -> volume."""
    found = {}
    for spec in SERVICES[name].get("volumes") or []:
        volume, path = str(spec).split(":")[:2]
        found[path] = volume
    return found


def one_shots() -> set[str]:
    """Services another one waits on to complete (migrate, flower-auth)."""
    return {
        target
        for svc in SERVICES.values()
        for target, spec in (svc.get("depends_on") or {}).items()
        if spec.get("condition") == "service_completed_successfully"
    }


def test_a_fresh_clone_needs_no_variable() -> None:
    resolve(RAW, {})  # raises ComposeError on a `${VAR:?...}`
    assert "OW_FLOWER_PASSWORD" not in COMPOSE.read_text()


def test_flower_is_on_localhost_behind_basic_auth_from_a_file() -> None:
    assert SERVICES["flower"]["ports"] == ["127.0.0.1:5555:5555"]
    tornado_argv = celery_context(argv("flower")).params["tornado_argv"]
    assert not [arg for arg in tornado_argv if arg.startswith("--basic-auth")]
    conf = Path(next(arg for arg in tornado_argv if arg.startswith("--conf="))[7:])
    assert conf.name == flower_auth.CONF_FILE
    # flower-auth writes it into the volume flower reads (read-only) and is waited for.
    directory = str(oddswatch_context(argv("flower-auth")).params["directory"])
    assert conf.parent == Path(directory)
    assert mounts("flower-auth")[directory] == mounts("flower")[directory] == "flower-auth"
    assert str(SERVICES["flower"]["volumes"][0]).endswith(":ro")
    assert "flower-auth" in RAW.get("volumes", {})
    depends = SERVICES["flower"]["depends_on"]["flower-auth"]
    assert depends["condition"] == "service_completed_successfully"
    # the mount point exists in the image, owned by the runtime user: the volume starts so
    runs = " ".join(rest for op, rest in dockerfile() if op == "RUN")
    assert f"mkdir -p {directory}" in runs and "chown -R oddswatch:oddswatch /app/var" in runs


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_no_flower_password_on_a_command_line_or_in_an_environment(name: str) -> None:
    service = SERVICES[name]
    shown = [*map(str, service.get("command") or []), *(service.get("environment") or {})]
    assert not [item for item in shown if "FLOWER_PASSWORD" in item or "basic-auth" in item]
    assert not [key for key in service.get("environment") or {} if key.startswith("FLOWER_")]


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_long_running_services_restart_and_one_shots_do_not(name: str) -> None:
    restart = str(SERVICES[name].get("restart", "no"))
    if name in one_shots():
        assert restart == "no", f"{name} is a one-shot: restart {restart!r}"
    else:
        assert restart in RESTARTS, f"{name}: restart {restart!r}, not one of {RESTARTS}"


def test_the_simulator_serves_every_monitored_league(monkeypatch: pytest.MonkeyPatch) -> None:
    served = set(oddswatch_context(argv("simulator")).params["leagues"].split(","))
    monitored = {
        queue.removeprefix("monitor.")
        for name in WORKERS
        for queue in celery_context(argv(name)).params["queues"]
        if queue.startswith("monitor.")
    }
    assert monitored == set(container_settings(monkeypatch).leagues)
    assert monitored <= served, f"the simulator does not serve {monitored - served}"


@pytest.mark.parametrize("name", CELERY)
def test_celery_is_pid_1_and_gets_time_to_shut_down(name: str) -> None:
    service = SERVICES[name]
    assert "entrypoint" not in service, f"{name}: celery must be PID 1, not a wrapper"
    assert service.get("init") is False, f"{name}: init: false, so SIGTERM reaches celery"
    if name in WORKERS:
        grace = seconds(str(service.get("stop_grace_period", "10s")))
        assert grace >= MIN_WORKER_GRACE_S, f"{name}: stop_grace_period {grace}s is too short"
        assert celery_context(argv(name)).params["pool"].__module__.endswith(".thread")
        assert "container_name" not in service, f"{name} cannot scale with a container_name"


@pytest.mark.parametrize("name", sorted(n for n in SERVICES if SERVICES[n].get("depends_on")))
def test_depends_on_waits_on_conditions(name: str) -> None:
    depends_on = SERVICES[name]["depends_on"]
    assert isinstance(depends_on, dict), f"{name}: depends_on needs conditions, not a list"
    for target, spec in depends_on.items():
        assert target in SERVICES, f"{name} depends on unknown {target}"
        condition = spec.get("condition")
        assert condition in CONDITIONS, f"{name} -> {target}: condition {condition!r}"
        if condition == "service_healthy":
            assert "healthcheck" in SERVICES[target], f"{target} has no healthcheck"
        if target == "migrate":
            assert condition == "service_completed_successfully"


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    lines = (line.strip() for line in text.splitlines())
    pairs = (line.partition(" ") for line in lines if line and not line.startswith("#"))
    return [(op.upper(), rest.strip()) for op, _, rest in pairs]


def dockerfile_env() -> dict[str, str]:
    words = [w for op, rest in dockerfile() if op == "ENV" for w in shlex.split(rest)]
    return dict(word.partition("=")[::2] for word in words)


def test_dockerfile_brings_playwright_chromium_as_non_root() -> None:
    steps = dockerfile()
    runs = " ".join(rest for op, rest in steps if op == "RUN")
    assert steps[0] == ("FROM", "python:3.11-slim-bookworm")
    assert "playwright install --with-deps chromium" in runs
    env = dockerfile_env()
    assert env.get("OW_CHROMIUM_PATH") == "", "empty: the client uses Playwright's Chromium"
    assert env.get("PLAYWRIGHT_BROWSERS_PATH"), "root installs it, another user runs it"
    users = [rest for op, rest in steps if op == "USER"]
    assert users and users[-1].split(":")[0] not in {"root", "0"}, "runs as root"
    assert not [op for op, _ in steps if op == "ENTRYPOINT"], "celery must be PID 1"
    secret = re.compile(r"PASSWORD|SECRET|TOKEN", re.IGNORECASE)
    assert not [key for key in env if secret.search(key)], "no secrets in the image"


def test_image_keeps_migrations_beside_the_installed_packages() -> None:
    """sinks/db.py reads `migrations/` from the source tree: it is installed in place."""
    runs = [rest for op, rest in dockerfile() if op == "RUN"]
    assert any(re.search(r"pip install .*(-e|--editable) \.(\s|$)", run) for run in runs)
    assert ("COPY", ". .") in dockerfile()
    ignored = set(DOCKERIGNORE.read_text().split())
    assert not {"migrations", "alembic.ini", "pyproject.toml"} & ignored


def test_dockerignore_keeps_local_state_and_secrets_out() -> None:
    ignored = set(DOCKERIGNORE.read_text().split())
    assert {".venv", ".git", ".env", "var", ".pytest_cache", ".mypy_cache"} <= ignored
