"""From inbox to Zalo: the stage runners and jobs that run a user's events through the engine
and send their replies and codes.

May import the conversation engine, the queues and the core modules (services reach the
stores); never the web layer or the entry points.
"""
