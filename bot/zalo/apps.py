"""Which Zalo apps may send us events, and the OA secret key that signs each one's events."""

from __future__ import annotations

from bot.config import Settings


class AppSecrets:
    """app_id -> OA secret key, from configuration (never from Redis: secrets stay in env)."""

    def __init__(self, secrets_by_app: dict[str, str]) -> None:
        self.secrets_by_app = dict(secrets_by_app)

    @classmethod
    def from_settings(cls, settings: Settings) -> AppSecrets:
        """The bot's own app; further apps come from ZALO_EXTRA_APPS."""
        found = {settings.zalo_app_id: settings.zalo_oa_secret_key}
        for entry in settings.zalo_extra_apps:
            app_id, _, secret = entry.partition(":")
            if app_id and secret:
                found[app_id] = secret
        return cls(found)

    def secret_for(self, app_id: str) -> str | None:
        """The key that signs app_id's events, or None for an app we do not know."""
        return self.secrets_by_app.get(app_id)
