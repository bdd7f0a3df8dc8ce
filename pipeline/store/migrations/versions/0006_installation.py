"""installation: a random identity per database, for email Message-IDs

Revision ID: 0006_installation
Revises: 0005_search
Create Date: 2026-12-07 10:00:00

Message-IDs were ``<casewatch.<delivery>.<event>@domain>``: three databases sending from one
domain made the same IDs, and mail services that drop duplicate IDs could discard real alerts.
The identity is made here, once; ``store.outbox.installation_id`` makes one if it is missing.
"""

import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0006_installation"
down_revision = "0005_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "installation",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    now = datetime.now(UTC)
    if op.get_bind().dialect.name == "sqlite":  # stored as naive UTC, as UTCDateTime does
        now = now.replace(tzinfo=None)
    op.bulk_insert(table, [{"id": secrets.token_hex(8), "created_at": now}])


def downgrade() -> None:
    op.drop_table("installation")
