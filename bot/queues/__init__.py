"""Per-user queues in Redis: the inbox of events, the outbox of replies, and their locks.

Plain Redis stores and Lua scripts; they start the pipeline's jobs by dotted name, so they
import nothing above the core modules.
"""
