"""Per-user queues in Redis: the inbox of events, the outbox of replies, the codes to send, their
locks and the ready sets of the users due.

Plain Redis stores and Lua scripts; they start the pipeline's jobs by dotted name, so they
import nothing above the core modules.
"""
