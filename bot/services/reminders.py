"""Reminders: planning (which outbox rows to create now, per school, at the school-local hour) and
rendering (each row's text, at send time, in the recipient's language; the payload holds ids and dates).

Outbox kinds and the user setting (domain.reminders.KINDS) that governs them: lessons, class_daily,
class_weekly, head_summary, course, parent_weekly as named; summatives (a bundle of "summative" items) and
term_end under "deadlines"; parent_alert under "parent_alerts".

A planning pass walks the schools grouped by time zone, a chunk of schools at a time, with a few
set-based queries per chunk. Each step runs at most once per school-local hour in a process, and after its
first run of the day considers only the users whose hour came since (an in-memory memo, a pure
optimisation: after a restart everyone due is considered again). Exactly-once rests on the outbox keys
alone, so a restart, a second instance or a retried pass plans nothing twice. A user who moves their hour
to one that has passed today is reminded from the next day.

The code is split by concern: reminder_context (PlanContext), reminder_steps and reminder_parent_steps (what
is planned), reminder_planner (the pass and the store), reminder_render (the texts at send time).
"""

from __future__ import annotations

from bot.services.reminder_context import PlanContext, quiet_window
from bot.services.reminder_planner import HOURLY_STEPS, ReminderPlanner, plan_reminders, planner_for, store
from bot.services.reminder_render import RENDERERS, render, summative_label

__all__ = ["HOURLY_STEPS", "RENDERERS", "PlanContext", "ReminderPlanner", "plan_reminders", "planner_for",
           "quiet_window", "render", "store", "summative_label"]

