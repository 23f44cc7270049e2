"""The customer portal's side: its JSON API (accounts, link codes, the Verify API, OpenAPI)
and the verification operations behind it.

May import bot.worker, bot.services and every room below them; never bot.web or the entry points.
"""
