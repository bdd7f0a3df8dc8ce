"""unreadable rows: schedule rows a run could not read are counted and explained

Revision ID: 0007_unreadable_rows
Revises: 0006_installation
Create Date: 2026-12-07 12:00:00

A court row with an impossible date (``31.02.2027``, ``00.00.0000``) used to vanish with only a
log line: the run said ``ok``. ``source_run.items_unreadable`` counts such rows,
``source_run.warning`` says which, and ``source.last_warning`` keeps the last run's warning for
``casewatch sources`` and ``status`` (a tracked case's unreadable row makes a warning).
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_unreadable_rows"
down_revision = "0006_installation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "source_run",
        sa.Column("items_unreadable", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column("source_run", sa.Column("warning", sa.Text(), nullable=True))
    op.add_column("source", sa.Column("last_warning", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("source") as batch:
        batch.drop_column("last_warning")
    with op.batch_alter_table("source_run") as batch:
        batch.drop_column("warning")
        batch.drop_column("items_unreadable")
