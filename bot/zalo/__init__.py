"""The bot's use of zalo_api: clients built from settings, tokens in Redis, app secrets.

May import zalo_api and the core modules only.
"""
