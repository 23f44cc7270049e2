"""The OAs served now, as every process sees them: the configured ones and those connected
by OAuth (asset registry entries with the App they granted), minus the unlinked ones.

A process compares the registry's version (one GET) at most every FRESH_SECONDS and reads
the assets again only when it changed; a connect or an unlink in this process is seen at
once. So an unlink reaches every process within FRESH_SECONDS, for one GET per process that
often instead of one per event.
"""

from __future__ import annotations

import threading
import time

from bot.admin.assets import Asset, AssetRegistry
from bot.metrics import serve_oas
from bot.oas import OA, SERVED, UNKNOWN, UNLINKED, OARegistry

# How long a process trusts its last look at the registry's version. The unlink job waits
# this long before it reports, so the admin reads "unlinked" only once every process knows.
FRESH_SECONDS = 0.25


class LiveRegistry(OARegistry):
    """OARegistry whose OAs follow the asset registry in Redis."""

    def __init__(self, base: OARegistry, assets: AssetRegistry) -> None:
        others = list(base.configured.values())[1:]
        super().__init__(base.main, others, base.extra_apps, base.urls, base.site_verification)
        self.assets = assets
        self.unlinked: set[str] = set()
        self.checked_at = float("-inf")  # monotonic time of the last version check
        self.version = -1  # the version the OAs were read at (-1: never)
        self.local_changes = 0  # the asset registry's own changes seen so far
        self.guard = threading.Lock()  # the sending threads ask at once

    def get(self, oa_id: str) -> OA | None:
        """The OA of oa_id if it is served now."""
        self.refresh()
        return self.oas.get(oa_id)

    def state(self, oa_id: str) -> str:
        """SERVED, UNLINKED or UNKNOWN, now."""
        self.refresh()
        if oa_id in self.oas:
            return SERVED
        return UNLINKED if oa_id in self.unlinked else UNKNOWN

    def all(self) -> list[OA]:
        """Every OA served now, the main one first."""
        self.refresh()
        return list(self.oas.values())

    def invalidate(self) -> None:
        """Read again at the next question (this process linked or unlinked something)."""
        self.checked_at, self.version = float("-inf"), -1

    def refresh(self) -> None:
        """Read the OAs again if the version changed (checked at most every FRESH_SECONDS, and
        at once after a link or unlink made in this process)."""
        if self.assets.local_changes != self.local_changes:
            self.local_changes = self.assets.local_changes
            self.invalidate()
        if time.monotonic() - self.checked_at < FRESH_SECONDS:
            return
        with self.guard:
            if time.monotonic() - self.checked_at < FRESH_SECONDS:
                return
            version = self.assets.version()
            if version != self.version:
                self.oas, self.unlinked = self.served(self.assets.all())
                serve_oas(self.oas)  # their ids become allowed `oa` labels
                self.version = version
            self.checked_at = time.monotonic()

    def served(self, assets: list[Asset]) -> tuple[dict[str, OA], set[str]]:
        """The served OAs and the unlinked ones, from every asset."""
        unlinked_apps = {a.asset_id for a in assets if a.kind == "app" and not a.linked}
        oa_assets = {a.asset_id: a for a in assets if a.kind == "oa"}
        served: dict[str, OA] = {}
        unlinked: set[str] = set()
        candidates = [self.connected(a) for a in oa_assets.values()]
        every = list(self.configured.values()) + [oa for oa in candidates if oa is not None]
        for oa in every:
            asset = oa_assets.get(oa.oa_id)
            if oa.app_id in unlinked_apps or (asset is not None and not asset.linked):
                unlinked.add(oa.oa_id)
            else:
                served.setdefault(oa.oa_id, oa)  # a configured OA wins over a connection
        return served, unlinked - served.keys()

    def connected(self, asset: Asset) -> OA | None:
        """The OA an OAuth connection registered, when its App is one configured here."""
        app = self.apps.get(asset.app_id) if asset.app_id else None
        if app is None or asset.asset_id in self.configured:
            return None
        template = self.main.zns_template_id  # one variable: the same template for all
        return OA(asset.asset_id, app.app_id, asset.name, app.secret, app.app_secret, template,
                  main=False, share_info_image_url=self.main.share_info_image_url)  # fmt: skip
