"""The asset registry on a real Redis: linking, the atomic unlink script, seeding at start-up."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import redis

from bot import create_app
from bot.admin.assets import INDEX_KEY, AssetRegistry, asset_key
from bot.services import services_of
from tests.adminkit import EXTRA_APP, EXTRA_SECRET
from tests.helpers import APP_ID, OA_ID


@pytest.fixture
def registry(rdb: redis.Redis) -> AssetRegistry:
    """An empty registry."""
    return AssetRegistry(rdb)


def test_link_then_get(registry: AssetRegistry) -> None:
    linked = registry.link("app", "111", "Mini app", now=1_700_000_000)
    assert registry.get("app", "111") == linked
    assert linked.linked and linked.linked_since == 1_700_000_000
    assert linked.unlinked_at is None and linked.unlinked_by is None
    assert registry.get("oa", "111") is None  # kinds are separate


def test_all_is_oldest_first_and_filters_by_kind(registry: AssetRegistry) -> None:
    registry.link("oa", "o1", "OA one", now=300)
    registry.link("app", "a1", "App one", now=100)
    registry.link("app", "a2", "App two", now=200)
    assert [a.asset_id for a in registry.all()] == ["a1", "a2", "o1"]
    assert [a.asset_id for a in registry.all("app")] == ["a1", "a2"]
    assert [a.asset_id for a in registry.all("oa")] == ["o1"]


def test_unknown_kinds_are_refused(registry: AssetRegistry, rdb: redis.Redis) -> None:
    with pytest.raises(ValueError):
        registry.link("bot", "1", "nope")
    assert rdb.keys("asset*") == []


def test_unlink_keeps_the_asset_with_who_and_when(registry: AssetRegistry) -> None:
    registry.link("app", "111", "Mini app", now=100)
    assert registry.unlink("app", "111", by="admin1") == "ok"
    asset = registry.get("app", "111")
    assert asset is not None and asset.status == "unlinked" and not asset.linked
    assert asset.unlinked_by == "admin1" and asset.unlinked_at and asset.unlinked_at > 100
    assert asset.name == "Mini app" and asset.linked_since == 100
    assert not registry.get("app", "111").linked  # type: ignore[union-attr]
    assert [a.asset_id for a in registry.all()] == ["111"]  # still listed, as unlinked


def test_unlink_twice_and_unknown(registry: AssetRegistry) -> None:
    registry.link("oa", "o1", "OA")
    assert registry.unlink("oa", "o1", by="a") == "ok"
    assert registry.unlink("oa", "o1", by="b") == "already"
    assert registry.get("oa", "o1").unlinked_by == "a"  # type: ignore[union-attr]
    assert registry.unlink("oa", "nope", by="a") == "unknown"
    assert registry.get("oa", "nope") is None  # the script created nothing
    assert registry.get("oa", "nope") is None  # unknown: not refused as unlinked


def test_concurrent_unlinks_of_one_asset_one_wins(rdb: redis.Redis, redis_url: str) -> None:
    AssetRegistry(rdb).link("app", "111", "Mini app")
    barrier = threading.Barrier(8)
    results: list[str] = []

    def unlink(who: str) -> None:
        own = AssetRegistry(redis.Redis.from_url(redis_url))  # one connection per admin
        barrier.wait()
        results.append(own.unlink("app", "111", by=who))

    threads = [threading.Thread(target=unlink, args=(f"admin{n}",)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["already"] * 7 + ["ok"]


def test_relinking_makes_it_linked_again(registry: AssetRegistry) -> None:
    registry.link("app", "111", "Mini app", now=100)
    registry.unlink("app", "111", by="admin1")
    again = registry.link("app", "111", "Mini app v2", now=500)
    assert registry.get("app", "111") == again
    assert again.linked and again.unlinked_by is None and again.linked_since == 500
    assert len(registry.all()) == 1


def test_the_registry_has_no_expiry(registry: AssetRegistry, rdb: redis.Redis) -> None:
    registry.link("app", "111", "Mini app")
    registry.unlink("app", "111", by="admin1")
    assert rdb.ttl(asset_key("app", "111")) == -1 and rdb.ttl(INDEX_KEY) == -1


def test_as_json(registry: AssetRegistry) -> None:
    registry.link("oa", "o1", "OA", now=100)
    assert registry.get("oa", "o1").as_json() == {  # type: ignore[union-attr]
        "kind": "oa",
        "id": "o1",
        "name": "OA",
        "linked_since": 100,
        "status": "linked",
        "unlinked_at": None,
        "unlinked_by": None,
        "console_confirmed_at": None,
    }


def test_start_up_seeds_the_configured_assets(config: dict[str, Any]) -> None:
    app = create_app({**config, "ZALO_EXTRA_APPS": f"{EXTRA_APP}:{EXTRA_SECRET}"})
    seeded = {(a.kind, a.asset_id, a.name) for a in services_of(app).assets.all()}
    assert seeded == {
        ("app", APP_ID, "Sandbox app"),
        ("oa", OA_ID, "Sandbox OA"),
        ("app", EXTRA_APP, "Extra app 1"),
    }


def test_a_restart_never_relinks_an_unlinked_asset(config: dict[str, Any]) -> None:
    first = create_app(config)
    services_of(first).assets.unlink("app", APP_ID, by="admin1")
    second = create_app(config)
    asset = services_of(second).assets.get("app", APP_ID)
    assert asset is not None and asset.status == "unlinked" and asset.unlinked_by == "admin1"


def test_start_up_without_redis_still_starts(config: dict[str, Any]) -> None:
    app = create_app({**config, "REDIS_URL": "redis://127.0.0.1:1/0"})
    assert app.test_client().get("/healthz").status_code == 200
