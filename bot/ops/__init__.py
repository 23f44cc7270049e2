"""Entry points for operators: CLI commands, terminal chat, local run, embedded Redis, worker.

The top of the house: may import anything; nothing but bot.app imports it (for the CLI).
"""
