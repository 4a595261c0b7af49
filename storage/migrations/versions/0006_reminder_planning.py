"""Reminder planning and hot-path support.

- exam_answers.correct_shown: the shown position (0..3) of the correct option, stored when the attempt is
  drawn, so a tap is one conditional UPDATE that also scores it (is_correct = correct_shown = chosen) instead
  of loading the attempt's 30 rows. NULL for attempts drawn before: they take the old path.
- ix_timetable_school_weekday: the planner reads a day's slots per chunk of schools by (school, weekday).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("exam_answers") as batch:
        batch.add_column(sa.Column("correct_shown", sa.Integer(), nullable=True))
    op.create_index("ix_timetable_school_weekday", "timetable", ["school_id", "weekday"])


def downgrade() -> None:
    op.drop_index("ix_timetable_school_weekday", table_name="timetable")
    with op.batch_alter_table("exam_answers") as batch:
        batch.drop_column("correct_shown")
