"""Marks as points over a maximum (Kazakhstan's summatives) and other journal country rules.

A СОР/СОЧ (БЖБ/ТЖБ) result is entered as "17/20" or as a per cent; both the points and the maximum are kept,
so a term's per cent is total points over total maximum (Rules No. 125). Existing Kazakh summatives were
stored as a bare per cent: they become that many points over 100.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("journal_marks") as batch:
        batch.add_column(sa.Column("points", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("max_points", sa.Integer(), nullable=True))
    op.execute("""
        UPDATE journal_marks SET points = grade, max_points = 100
        WHERE grade IS NOT NULL AND kind IN ('section', 'term') AND lesson_id IN (
            SELECT journal_lessons.id FROM journal_lessons JOIN schools ON schools.id = journal_lessons.school_id
            WHERE schools.country = 'KZ')
    """)


def downgrade() -> None:
    with op.batch_alter_table("journal_marks") as batch:
        batch.drop_column("max_points")
        batch.drop_column("points")
