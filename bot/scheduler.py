"""APScheduler 3 wiring: interval and cron jobs with fixed ids, re-created at every start.

The jobs keep no state of their own: what was sent or closed lives in the project's tables, so a
restart or a second instance neither loses nor repeats anything.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger(__name__)


async def start_scheduler(app, bot: Bot) -> AsyncIOScheduler:
    from bot.services.exam_jobs import close_expired_attempts
    from bot.services.outbox import kick_outbox
    from bot.services.reminders import plan_reminders

    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(close_expired_attempts, "interval", seconds=20, id="exam-deadlines", replace_existing=True,
                      args=[app, bot], max_instances=1, coalesce=True)
    # Reminders: planning checks each school's local hour; sending starts a run when rows are due.
    scheduler.add_job(plan_reminders, "interval", minutes=2, id="reminders-plan", replace_existing=True,
                      args=[app], max_instances=1, coalesce=True)
    scheduler.add_job(kick_outbox, "interval", seconds=5, id="outbox-send", replace_existing=True,
                      args=[app, bot], max_instances=1, coalesce=True)
    scheduler.start()
    return scheduler
