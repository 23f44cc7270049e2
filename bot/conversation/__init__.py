"""The conversation machinery: flow DSL, per-event context, engine, state store, text matching.

Knows no particular dialogue (those are in handlers/); may import bot.queues' event types,
bot.texts and the core modules only.
"""
