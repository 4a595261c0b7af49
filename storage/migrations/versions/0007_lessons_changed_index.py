"""Indexes for the reminder planner's lookups by school (each chunk of schools, every pass).

- ix_journal_lessons_school_updated (school_id, updated_at): the planner's "marks changed since the last pass"
  starts from the lessons of a chunk of schools touched since then (every mark's change touches its lesson).
  Without it PostgreSQL scanned the whole journal_lessons table once per chunk of schools and pass.
- ix_users_school_id: the course nudges also reach teachers who picked their school themselves (users.school_id);
  without it every chunk scanned the users table.

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
    op.create_index("ix_users_school_id", "users", ["school_id"])


def downgrade() -> None:
    op.drop_index("ix_users_school_id", table_name="users")
    op.drop_index("ix_journal_lessons_school_updated", table_name="journal_lessons")
