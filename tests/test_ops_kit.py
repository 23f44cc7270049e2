"""The ops kit (Grafana dashboard, Prometheus alert rules) names only metrics the bot exports."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from flask import Flask

OPS = Path(__file__).parents[1] / "ops"
METRIC = re.compile(r"\bbot_[a-z0-9_]+")
HISTOGRAM_SUFFIXES = ("_bucket", "_count", "_sum")


def exported(app: Flask) -> set[str]:
    """Every metric family /metrics declares (HELP lines: labelled families too, before
    their first sample)."""
    text = app.test_client().get("/metrics").get_data(as_text=True)
    return {line.split()[2] for line in text.splitlines() if line.startswith("# HELP ")}


def family(name: str) -> str:
    """A histogram's series name without its suffix."""
    for suffix in HISTOGRAM_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def alert_expressions() -> list[str]:
    """The expr of every alert rule."""
    rules = yaml.safe_load((OPS / "prometheus" / "alerts.yml").read_text())
    return [rule["expr"] for group in rules["groups"] for rule in group["rules"]]


def dashboard_expressions() -> list[str]:
    """The expr of every panel's queries."""
    dashboard = json.loads((OPS / "grafana" / "dashboard.json").read_text())
    return [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]


@pytest.mark.parametrize("source", [alert_expressions, dashboard_expressions])
def test_every_metric_named_is_exported(app: Flask, source: object) -> None:
    names = {family(m) for expr in source() for m in METRIC.findall(expr)}  # type: ignore[operator]
    assert names, "no metric named at all"
    assert names - exported(app) == set()


def test_every_alert_says_what_it_means() -> None:
    rules = yaml.safe_load((OPS / "prometheus" / "alerts.yml").read_text())
    for rule in rules["groups"][0]["rules"]:
        assert rule["labels"]["severity"] in ("page", "warn")
        assert rule["annotations"]["summary"]


def test_promtool_accepts_the_rules() -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is not installed (Debian package prometheus); CI installs it")
    done = subprocess.run(
        [promtool, "check", "rules", str(OPS / "prometheus" / "alerts.yml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
