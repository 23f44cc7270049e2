"""Per-user queues in Redis: the inbox of events, the outbox of replies, the codes to send, their
locks and leases, and the ready sets of the users due.

Plain Redis stores and Lua scripts that only make a user due (the worker's runners serve
them), so they import nothing above bot.zalo, bot.texts and the core modules.
"""
