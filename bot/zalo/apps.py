"""Which Zalo apps may send us events, the OA secret key that signs each one's events, and
the OA each app serves (an event counts only when its signing app serves its recipient OA)."""

from __future__ import annotations

from bot.oas import App, OARegistry


class AppSecrets:
    """app_id -> App, from the OA registry (never from Redis: secrets stay in env)."""

    def __init__(self, apps: dict[str, App]) -> None:
        self.apps = dict(apps)

    @classmethod
    def from_registry(cls, registry: OARegistry) -> AppSecrets:
        """The registry's Apps: the bot's own serves ZALO_OA_ID, the others ZALO_EXTRA_APPS'."""
        return cls(registry.apps)

    def app(self, app_id: str) -> App | None:
        """The app of app_id, or None for an app we do not know."""
        return self.apps.get(app_id)

    def secret_for(self, app_id: str) -> str | None:
        """The key that signs app_id's events, or None for an app we do not know."""
        app = self.apps.get(app_id)
        return app.secret if app else None
