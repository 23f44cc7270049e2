"""Phone verification rules: codes and their Lua, accounts, phones, limits, code-sending jobs.

May import bot.conversation (Context), bot.queues, bot.sms, bot.texts and the core modules.
"""
