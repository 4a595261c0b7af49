"""At most one open exam attempt per teacher and course (partial unique index).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

WHERE = sa.text("status = 'open'")


def upgrade() -> None:
    # Attempts left open twice by an earlier double tap: keep the newest open, expire the others.
    op.execute("""
        UPDATE exam_attempts SET status = 'expired'
        WHERE status = 'open' AND id NOT IN (
            SELECT max(id) FROM exam_attempts WHERE status = 'open' GROUP BY user_id, course_id)
    """)
    op.create_index("uq_exam_attempts_one_open", "exam_attempts", ["user_id", "course_id"], unique=True,
                    sqlite_where=WHERE, postgresql_where=WHERE)


def downgrade() -> None:
    op.drop_index("uq_exam_attempts_one_open", table_name="exam_attempts")
