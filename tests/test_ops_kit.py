"""The ops kit (Grafana dashboard, Prometheus alert rules) names only metrics the bot exports,
and only labels those metrics have."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from flask import Flask
from prometheus_client.metrics import MetricWrapperBase

from bot import metrics

OPS = Path(__file__).parents[1] / "ops"
METRIC = re.compile(r"\bbot_[a-z0-9_]+")
HISTOGRAM_SUFFIXES = ("_bucket", "_count", "_sum")
SELECTOR = re.compile(r"\b(bot_[a-z0-9_]+)\{([^}]*)\}")
MATCHER = re.compile(r"([a-z_]+)\s*(?:=~|!~|!=|=)")
GROUPING = re.compile(r"\b(?:by|without)\s*\(([^)]*)\)")


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


def labels_of(app: Flask) -> dict[str, set[str]]:
    """Each exported family's label names: those of bot.metrics (declared, so a labelled
    metric nothing has counted yet is known too) and those of the samples /metrics serves
    (the families read from Redis at scrape time)."""
    found = declared_labels()
    text = app.test_client().get("/metrics").get_data(as_text=True)
    for line in text.splitlines():
        sample = re.match(r"(bot_[a-z0-9_]+)\{([^}]*)\}", line)
        if sample:
            labels = {pair.split("=")[0] for pair in sample.group(2).split(",") if pair}
            found.setdefault(family(sample.group(1)), set()).update(labels - {"le"})
    return found


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


@pytest.mark.parametrize("source", [alert_expressions, dashboard_expressions])
def test_every_label_named_is_one_the_metric_has(app: Flask, source: object) -> None:
    known = labels_of(app)
    for expr in source():  # type: ignore[operator]
        named = {family(m) for m in METRIC.findall(expr)}
        for metric, matchers in SELECTOR.findall(expr):
            wanted = set(MATCHER.findall(matchers))
            assert wanted <= known[family(metric)], f"{metric}: {wanted} in {expr}"
        for grouping in GROUPING.findall(expr):
            by = {label.strip() for label in grouping.split(",") if label.strip()} - {"le"}
            for metric in named:  # every metric the aggregation reads has them
                assert by <= known[metric], f"{metric}: by {by} in {expr}"


def test_the_dashboard_picks_an_oa_for_every_per_oa_metric() -> None:
    dashboard = json.loads((OPS / "grafana" / "dashboard.json").read_text())
    variables = {v["name"] for v in dashboard["templating"]["list"]}
    assert {"datasource", "oa"} <= variables
    per_oa = {name for name, labels in declared_labels().items() if "oa" in labels}
    for expr in dashboard_expressions():
        for metric, matchers in SELECTOR.findall(expr):
            if family(metric) in per_oa:
                assert 'oa=~"$oa"' in matchers, expr
        for metric in METRIC.findall(expr):
            if family(metric) in per_oa:
                assert f"{metric}{{" in expr, f"{metric} not filtered by $oa in {expr}"


def declared_labels() -> dict[str, set[str]]:
    """The label names bot.metrics declares, by exported family name."""
    found: dict[str, set[str]] = {}
    for metric in vars(metrics).values():
        if isinstance(metric, MetricWrapperBase):
            names = set(metric._labelnames)  # prometheus_client keeps no public accessor
            found[metric._name] = found[f"{metric._name}_total"] = names
    return found


def test_every_alert_says_what_it_means() -> None:
    rules = yaml.safe_load((OPS / "prometheus" / "alerts.yml").read_text())
    for rule in rules["groups"][0]["rules"]:
        assert rule["labels"]["severity"] in ("page", "warn")
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]


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
