"""From inbox to Zalo: the jobs that run a user's events through the engine and send replies.

May import the conversation engine, the queues and the core modules (services reach the
stores); never the web layer or the entry points.
"""
