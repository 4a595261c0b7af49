"""Certificate issuer, confirmed schools, unique numbers.

- staff.confirmed_via / confirmed_at: how and when a user's link to a staff row was confirmed: "phone" (the
  shared number matched the school's list), "invite" (a code from the administration), "head" (the head
  approved a teacher who picked the school from the list), "grant" (the administrator's command); rows
  linked before this revision say "roster". A certificate names only a school the teacher is linked to
  this way, never one merely picked from the list (users.school_id).
- certificates.issuer: the issuing organisation (CERTIFICATE_ISSUER) at the moment of issue, so a PDF
  sent again later says what the first one said.
- Numbers: derived from the row id (see storage/repositories/certificates.py); the unique index on
  certificates.number from revision 0001 stays the guard.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff") as batch:
        batch.add_column(sa.Column("confirmed_via", sa.String(16), nullable=True))
        batch.add_column(sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE staff SET confirmed_via = 'roster' WHERE user_id IS NOT NULL")
    with op.batch_alter_table("certificates") as batch:
        batch.add_column(sa.Column("issuer", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("certificates") as batch:
        batch.drop_column("issuer")
    with op.batch_alter_table("staff") as batch:
        batch.drop_column("confirmed_at")
        batch.drop_column("confirmed_via")
