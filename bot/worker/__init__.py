"""The worker runtime: its stage runners (events, replies, codes), the work of each stage, the
senders, and the RQ job runner for background work (python -m bot.worker is the process).

May import bot.services and every room below it; never bot.web or bot.portal. Its process
main (process.py, __main__.py) is an entry point and may import bot.wiring.
"""
