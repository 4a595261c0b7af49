"""Certification plans per school, district and region; canonical regions; when a user was last seen.

- schools.teachers_planned: the school's plan (pedagogical staff to certify); NULL means its staff count.
- area_plans: a plan set for a region (district '') or a district, per country (seed 002 compares plan and
  fact per region; the plan is a number of its own, not the sum of the schools' staff lists).
- users.last_seen_at: set at most once an hour by the user middleware; the parents' usage report counts
  parents seen in the last 7 days.
- schools' and supervisors' regions written as the country's list writes them (domain/countries.py), so an
  older "Toshkent sh." school meets a "Toshkent shahri" methodist; unknown spellings are left as they are.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("schools") as batch:
        batch.add_column(sa.Column("teachers_planned", sa.Integer(), nullable=True))
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "area_plans",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("region", sa.String(100), nullable=False),
        sa.Column("district", sa.String(100), nullable=False, server_default=""),
        sa.Column("planned", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_area_plans"),
        sa.UniqueConstraint("country", "region", "district", name="uq_area_plans_country"),
    )
    for table in ("schools", "supervisors"):
        _canonical_regions(table)


def _canonical_regions(table: str) -> None:
    from domain.countries import rules_for

    bind = op.get_bind()
    rows = bind.execute(sa.text(f"SELECT DISTINCT country, region FROM {table} WHERE region IS NOT NULL")).all()
    for country, region in rows:
        canonical = rules_for(country).region(region)
        if canonical and canonical != region:
            bind.execute(sa.text(f"UPDATE {table} SET region = :canonical "
                                 "WHERE country = :country AND region = :region"),
                         {"canonical": canonical, "country": country, "region": region})


def downgrade() -> None:
    op.drop_table("area_plans")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("last_seen_at")
    with op.batch_alter_table("schools") as batch:
        batch.drop_column("teachers_planned")
