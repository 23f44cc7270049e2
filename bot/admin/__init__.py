"""The admin side: asset registry, admin directory, audit trail, the unlink job, seeding,
and which kind of run (sandbox or production) owns Redis.

May import bot.conversation (AuditEntry), bot.queues, bot.zalo, bot.texts and core.
"""
