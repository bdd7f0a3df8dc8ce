"""hearing_seen: the last sighting of a hearing a re-scan printed unchanged, in a narrow table

Revision ID: 0008_hearing_seen
Revises: 0007_unreadable_rows
Create Date: 2026-12-07 12:00:00

A re-scan of an unchanged schedule used to write ``hearing.last_seen_at`` on every row, which
rewrites every page of the wide ``hearing`` table (≈ 45 % of a re-scan's time on SQLite). The
sighting now goes to ``hearing_seen`` (one narrow row per hearing, written only when a re-scan
confirms it); ``hearing.last_seen_at`` keeps the sighting of the last write, and a hearing's
last sighting is the later of the two. Nothing to copy: no row here means
``hearing.last_seen_at`` is the last sighting, as before.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_hearing_seen"
down_revision = "0007_unreadable_rows"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hearing_seen",
        sa.Column("hearing_id", sa.Integer(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["hearing_id"], ["hearing.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("hearing_id"),
    )


def downgrade() -> None:
    """The sightings go back onto ``hearing.last_seen_at`` before the table goes."""
    op.execute(
        "UPDATE hearing SET last_seen_at = (SELECT s.last_seen_at FROM hearing_seen s"
        " WHERE s.hearing_id = hearing.id) WHERE id IN (SELECT s.hearing_id FROM hearing_seen s"
        " JOIN hearing h ON h.id = s.hearing_id WHERE s.last_seen_at > h.last_seen_at)"
    )
    op.drop_table("hearing_seen")
