"""The bot's use of zalo_api: each OA's outbound (clients, tokens in Redis, sending state).

May import zalo_api and the core modules only.
"""
