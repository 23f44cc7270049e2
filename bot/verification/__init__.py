"""Phone verification rules: codes and their Lua, accounts, phones, limits, code-sending jobs.

May import bot.conversation (text matching), bot.queues, bot.zalo, bot.sms, bot.texts and core.
"""
