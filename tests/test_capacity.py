"""The capacity model (bench/capacity.py): its counts follow the planner's rules."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

spec = importlib.util.spec_from_file_location("capacity", Path(__file__).parents[1] / "bench" / "capacity.py")
capacity = sys.modules["capacity"] = importlib.util.module_from_spec(spec)
spec.loader.exec_module(capacity)


def test_one_digest_per_parent_and_spread_days_cut_the_busiest_day():
    school = capacity.School(pupils=600, parent_link_share=1.0, children_per_parent=2.0)
    per_parent, per_child = capacity.per_week(school), capacity.per_week(school, per_child_weekly=True)
    assert per_parent["parent_weekly"] == 300 and per_child["parent_weekly"] == 600
    spread, saturday = capacity.busiest_day(per_parent, True), capacity.busiest_day(per_child, False)
    school_days = sum(n for k, n in per_parent.items() if k != "parent_weekly") / 5
    assert spread == school_days + 300 / 7 and saturday == school_days + 600


def test_hours_and_paid_broadcast_cost():
    assert capacity.hours_at(29 * 3600, 29) == 1
    low, high = capacity.paid_stars(1000, 1000)
    assert high == 100 and abs(low - 97) < 1e-9  # 0.1 Star each; the bots FAQ: only above the free 30/s
