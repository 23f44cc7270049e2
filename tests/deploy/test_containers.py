"""Dockerfile and compose.yaml run the Procfile's commands with .env.example's variables."""

from __future__ import annotations

import ipaddress
import json
import re
import shlex
from typing import Any

import yaml

from tests.deploy.kit import PLATFORM_VARS, ROOT, SETTINGS_VARS, env_entries, procfile


def compose() -> dict[str, Any]:
    """compose.yaml as docker compose reads it (YAML merge keys included)."""
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    return loaded


def dockerfile(instruction: str) -> list[str]:
    """The arguments of every line of the Dockerfile that starts with the instruction."""
    lines = (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
    return [line.split(" ", 1)[1] for line in lines if line.startswith(f"{instruction} ")]


def as_list(value: str | list[str]) -> list[str]:
    """A compose field that may be one string or a list."""
    return [value] if isinstance(value, str) else value


def test_the_services_run_the_procfile() -> None:
    services = compose()["services"]
    for name, command in procfile().items():
        assert shlex.split(services[name]["command"]) == shlex.split(command), name
    assert json.loads(dockerfile("CMD")[-1]) == shlex.split(procfile()["web"])


def test_every_variable_of_env_example_reaches_web_and_worker() -> None:
    services = compose()["services"]
    for name in ("web", "worker"):
        # env_file passes every line of .env (the operator's copy of .env.example) through.
        assert as_list(services[name]["env_file"]) == [".env"], name
        overridden = set(services[name].get("environment", {}))
        assert overridden <= SETTINGS_VARS | PLATFORM_VARS, f"{name}: unknown {overridden}"
    example = {entry.name for entry in env_entries(ROOT / ".env.example")}
    assert {"REDIS_URL", "GUNICORN_BIND", "FORWARDED_ALLOW_IPS"} <= example


def test_redis_keeps_its_data_in_an_append_only_file_on_a_volume() -> None:
    spec = compose()
    redis = spec["services"]["redis"]
    assert "--appendonly yes" in redis["command"]
    (volume,) = [v for v in redis["volumes"] if v.endswith(":/data")]
    assert volume.split(":")[0] in spec["volumes"]
    for name in ("web", "worker"):
        assert spec["services"][name]["environment"]["REDIS_URL"] == "redis://redis:6379/0"
        assert spec["services"][name]["depends_on"]["redis"]["condition"] == "service_healthy"


def test_only_the_hosts_loopback_reaches_the_web_and_the_proxy_is_the_gateway() -> None:
    spec = compose()
    web = spec["services"]["web"]
    assert all(port.startswith("127.0.0.1:") for port in web["ports"])
    assert "ports" not in spec["services"]["worker"] and "ports" not in spec["services"]["redis"]
    (network,) = spec["networks"]["default"]["ipam"]["config"]
    gateway = network["gateway"]
    assert ipaddress.ip_address(gateway) in ipaddress.ip_network(network["subnet"])
    assert web["environment"]["FORWARDED_ALLOW_IPS"] == gateway


def test_the_image_runs_as_a_user_without_secrets_in_it() -> None:
    users = dockerfile("USER")
    assert users and users[-1] not in ("root", "0")
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert {".env", ".venv", ".git", ".local"} <= set(ignored)
    # The metrics folder the image prepares is the one .env.example names.
    (folder,) = [e.value for e in env_entries(ROOT / ".env.example") if e.name.startswith("PROM")]
    assert any(re.search(rf"mkdir -p {folder}\b", line) for line in dockerfile("RUN"))
    for name in ("web", "worker"):
        assert f"metrics:{folder}" in compose()["services"][name]["volumes"]
