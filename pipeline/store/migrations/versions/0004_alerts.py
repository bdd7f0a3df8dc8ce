"""alerts: delivery log columns (last attempt, why it waits) and channel health

Revision ID: 0004_alerts
Revises: 0003_evidence
Create Date: 2026-11-29 10:00:00

Columns are added with a plain ``ALTER TABLE … ADD COLUMN`` (no batch rebuild: on SQLite a
rebuild of ``delivery`` is harmless, but this keeps the migration cheap on a big outbox).
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_alerts"
down_revision = "0003_evidence"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("delivery", sa.Column("last_attempt_at", UTC_DATETIME, nullable=True))
    op.add_column("delivery", sa.Column("note", sa.Text(), nullable=True))
    op.create_table(
        "channel_state",
        sa.Column("channel", sa.String(length=200), nullable=False),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("failing", sa.Boolean(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_failure_at", UTC_DATETIME, nullable=True),
        sa.Column("last_success_at", UTC_DATETIME, nullable=True),
        sa.PrimaryKeyConstraint("channel"),
    )


def downgrade() -> None:
    op.drop_table("channel_state")
    with op.batch_alter_table("delivery") as batch:
        batch.drop_column("note")
        batch.drop_column("last_attempt_at")
