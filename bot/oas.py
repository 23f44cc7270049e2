"""The Apps and OAs this deployment serves, as values.

Zalo's model: an App has one webhook URL and one webhook key (the "OA Secret Key") shared by
every OA that granted it, and its App Secret for OAuth; an OA has its own tokens, name and
users. The Apps come from the settings (ZALO_APP_* and ZALO_EXTRA_APPS: secrets stay in the
environment); the OAs are the configured ones (ZALO_OA_ID, the oa_id of an extra App) plus
those connected at runtime (`flask oa connect`), which `bot.admin.served` reads from Redis.
The one place ZALO_EXTRA_APPS is turned into Apps and OAs."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Settings, split_extra_app


@dataclass(frozen=True)
class OA:
    """One served OA, the App it granted (whose webhook key signs its events and whose App
    Secret refreshes its tokens), and what its senders need."""

    oa_id: str
    app_id: str
    name: str  # BOT_OA_NAME for the main OA; the asset registry's name for a connected one
    webhook_key: str  # the OA secret key that signs its App's events
    app_secret: str  # "" for an extra App: its tokens cannot be refreshed here
    zns_template_id: str
    main: bool
    # The main OA's first tokens (ZALO_ACCESS_TOKEN / ZALO_REFRESH_TOKEN), seeded once.
    first_tokens: tuple[str, str] = ("", "")
    share_info_image_url: str = ""  # the image of Zalo's "share your phone" form; "": none

    @property
    def can_refresh(self) -> bool:
        """Whether its App Secret is known, so its tokens can be refreshed."""
        return bool(self.app_secret)


@dataclass(frozen=True)
class ZaloUrls:
    """Where Zalo's APIs answer (fakes in tests, Zalo's hosts in production)."""

    openapi: str  # the OA API
    oauth: str  # OAuth: tokens and the permission page
    business: str  # ZNS


@dataclass(frozen=True)
class App:
    """One App whose events are accepted: the key that signs them, the OA configured for it
    (OAs connected at runtime come on top), and its App Secret ("" when not known here)."""

    app_id: str
    secret: str
    oa_id: str | None  # None: no configured OA (connected ones may still be served)
    app_secret: str = ""

    def serves(self, oa_id: str) -> bool:
        """Whether an event addressed to oa_id may come from this App."""
        return self.oa_id is not None and self.oa_id == oa_id


SERVED, UNLINKED, UNKNOWN = "served", "unlinked", "unknown"


class OARegistry:
    """The accepted Apps by id, and the served OAs by id: here the configured ones only
    (`bot.admin.served.LiveRegistry` adds those connected at runtime, and drops unlinked ones)."""

    def __init__(
        self,
        main: OA,
        others: list[OA],
        apps: list[App],
        urls: ZaloUrls,
        site_verification: str = "",
    ) -> None:
        self.main = main
        self.urls = urls
        self.site_verification = site_verification  # ZALO_SITE_VERIFICATION: the domain's proof
        self.configured = {main.oa_id: main}
        for oa in others:
            self.configured.setdefault(oa.oa_id, oa)  # the main OA's own settings win
        self.oas = dict(self.configured)
        self.extra_apps = list(apps)  # ZALO_EXTRA_APPS' entries, in their order
        self.apps = {app.app_id: app for app in apps}
        self.apps[main.app_id] = App(main.app_id, main.webhook_key, main.oa_id, main.app_secret)

    @classmethod
    def from_settings(cls, settings: Settings) -> OARegistry:
        """Today's single-OA variables, plus one OA per ZALO_EXTRA_APPS entry with an oa_id."""
        main = OA(
            settings.zalo_oa_id,
            settings.zalo_app_id,
            settings.bot_oa_name,
            settings.zalo_oa_secret_key,
            settings.zalo_app_secret,
            settings.zns_otp_template_id,
            main=True,
            first_tokens=(settings.zalo_access_token, settings.zalo_refresh_token),
            share_info_image_url=settings.zalo_share_info_image_url,
        )
        apps = [App(*split_extra_app(entry)) for entry in settings.zalo_extra_apps]
        template = settings.zns_otp_template_id  # one variable: the same template id for all
        others = [
            OA(
                app.oa_id,
                app.app_id,
                "",
                app.secret,
                "",
                template,
                main=False,
                share_info_image_url=settings.zalo_share_info_image_url,
            )
            for app in apps
            if app.oa_id is not None
        ]
        urls = ZaloUrls(
            settings.zalo_openapi_url, settings.zalo_oauth_url, settings.zalo_business_url
        )
        return cls(main, others, apps, urls, settings.zalo_site_verification)

    def get(self, oa_id: str) -> OA | None:
        """The OA of oa_id, or None for one this deployment does not serve (now)."""
        return self.oas.get(oa_id)

    def state(self, oa_id: str) -> str:
        """SERVED, UNLINKED (an admin unlinked it or its App) or UNKNOWN."""
        return SERVED if oa_id in self.oas else UNKNOWN

    def serves(self, app_id: str, oa_id: str) -> bool:
        """Whether an event of app_id addressed to oa_id is served (the OA granted that App)."""
        oa = self.get(oa_id)
        return oa is not None and oa.app_id == app_id

    def invalidate(self) -> None:
        """Forget what was read of the runtime OAs (a connect or unlink in this process)."""

    def app(self, app_id: str) -> App | None:
        """The accepted App of app_id, or None."""
        return self.apps.get(app_id)

    def all(self) -> list[OA]:
        """Every served OA, the main one first."""
        return list(self.oas.values())
