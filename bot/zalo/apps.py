"""Which Zalo apps may send us events, the OA secret key that signs each one's events, and
the OA each app serves (an event counts only when its signing app serves its recipient OA)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Settings, split_extra_app


@dataclass(frozen=True)
class KnownApp:
    """One app: the key that signs its events and the OA it serves (None: no OA)."""

    app_id: str
    secret: str
    oa_id: str | None

    def serves(self, oa_id: str) -> bool:
        """Whether an event addressed to oa_id may come from this app."""
        return self.oa_id is not None and self.oa_id == oa_id


class AppSecrets:
    """app_id -> KnownApp, from configuration (never from Redis: secrets stay in env)."""

    def __init__(self, apps: dict[str, KnownApp]) -> None:
        self.apps = dict(apps)

    @classmethod
    def from_settings(cls, settings: Settings) -> AppSecrets:
        """The bot's own app serves ZALO_OA_ID; further apps come from ZALO_EXTRA_APPS."""
        found = {}
        for entry in settings.zalo_extra_apps:
            app = KnownApp(*split_extra_app(entry))
            found[app.app_id] = app
        own = KnownApp(settings.zalo_app_id, settings.zalo_oa_secret_key, settings.zalo_oa_id)
        found[own.app_id] = own  # the main app's own settings win over a stray extra entry
        return cls(found)

    def app(self, app_id: str) -> KnownApp | None:
        """The app of app_id, or None for an app we do not know."""
        return self.apps.get(app_id)

    def secret_for(self, app_id: str) -> str | None:
        """The key that signs app_id's events, or None for an app we do not know."""
        app = self.apps.get(app_id)
        return app.secret if app else None
