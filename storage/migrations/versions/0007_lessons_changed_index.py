"""Lessons changed lately, per school: the parents' notices look them up every two minutes.

- ix_journal_lessons_school_updated (school_id, updated_at): the planner's "marks changed since the last pass"
  starts from the lessons of a chunk of schools touched since then (every mark's change touches its lesson).
  Without it PostgreSQL scanned the whole journal_lessons table once per chunk of schools and pass.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_journal_lessons_school_updated", "journal_lessons", ["school_id", "updated_at"])


def downgrade() -> None:
    op.drop_index("ix_journal_lessons_school_updated", table_name="journal_lessons")
