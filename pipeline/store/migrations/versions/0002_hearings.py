"""hearings: hearing, hearing_change; matches and events can be about a hearing

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 02:01:05

SQLite: ``event`` gets its column by a plain ``ALTER TABLE … ADD COLUMN … REFERENCES`` — a
batch rebuild would DROP the table, and with foreign keys on, that deletes every delivery
(ON DELETE CASCADE). ``match`` is rebuilt in batch mode (nothing references it) to make
``article_id`` nullable.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    _create_hearing()
    _create_hearing_change()
    _event_hearing_id()
    _match_hearing_id()


def _create_hearing() -> None:
    op.create_table(
        "hearing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("identity", sa.String(length=64), nullable=False),
        sa.Column("slot", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=32), nullable=False),
        sa.Column("raw_hash", sa.String(length=32), nullable=False),
        sa.Column("court", sa.Text(), nullable=False),
        sa.Column("case_number", sa.Text(), nullable=False),
        sa.Column("case_key", sa.String(length=200), nullable=False),
        sa.Column("scheduled_at", UTC_DATETIME, nullable=True),
        sa.Column("local_time", sa.String(length=32), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("courtroom", sa.Text(), nullable=False),
        sa.Column("judge", sa.Text(), nullable=False),
        sa.Column("parties", sa.Text(), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("stage", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("source_id", sa.String(length=200), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=False),
        sa.Column("article_url", sa.Text(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=True),
        sa.Column("first_seen_at", UTC_DATETIME, nullable=False),
        sa.Column("last_seen_at", UTC_DATETIME, nullable=False),
        sa.Column("cancelled_at", UTC_DATETIME, nullable=True),
        sa.Column("cells", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["article.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["source_id"], ["source.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("identity"),
    )
    op.create_index("ix_hearing_case_key", "hearing", ["case_key"])
    op.create_index("ix_hearing_scheduled_at", "hearing", ["scheduled_at"])
    op.create_index("ix_hearing_slot", "hearing", ["slot"])
    op.create_index("ix_hearing_source_local", "hearing", ["source_id", "local_time"])


def _create_hearing_change() -> None:
    op.create_table(
        "hearing_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hearing_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("old", sa.Text(), nullable=True),
        sa.Column("new", sa.Text(), nullable=True),
        sa.Column("seen_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(["hearing_id"], ["hearing.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_hearing_change_hearing_id", "hearing_change", ["hearing_id"])


def _event_hearing_id() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE event ADD COLUMN hearing_id INTEGER "
            "REFERENCES hearing (id) ON DELETE SET NULL"
        )
        return
    op.add_column("event", sa.Column("hearing_id", sa.Integer(), nullable=True))
    op.create_foreign_key(
        "fk_event_hearing_id_hearing",
        "event",
        "hearing",
        ["hearing_id"],
        ["id"],
        ondelete="SET NULL",
    )


def _match_hearing_id() -> None:
    with op.batch_alter_table("match", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hearing_id", sa.Integer(), nullable=True))
        batch_op.alter_column("article_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_index("ix_match_hearing_id", ["hearing_id"], unique=False)
        batch_op.create_unique_constraint(
            "uq_match_hearing_id_case_slug", ["hearing_id", "case_slug"]
        )
        batch_op.create_foreign_key(
            "fk_match_hearing_id_hearing", "hearing", ["hearing_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.create_check_constraint(
            "ck_match_one_subject", "(article_id IS NULL) <> (hearing_id IS NULL)"
        )


def downgrade() -> None:
    op.execute("DELETE FROM match WHERE article_id IS NULL")
    with op.batch_alter_table("match", schema=None) as batch_op:
        batch_op.drop_constraint("ck_match_one_subject", type_="check")
        batch_op.drop_constraint("fk_match_hearing_id_hearing", type_="foreignkey")
        batch_op.drop_constraint("uq_match_hearing_id_case_slug", type_="unique")
        batch_op.drop_index("ix_match_hearing_id")
        batch_op.alter_column("article_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("hearing_id")
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_drop_event_hearing_id()
    else:
        op.drop_constraint("fk_event_hearing_id_hearing", "event", type_="foreignkey")
        op.drop_column("event", "hearing_id")
    op.drop_table("hearing_change")
    op.drop_table("hearing")


def _sqlite_drop_event_hearing_id() -> None:
    """SQLite cannot drop a column with a foreign key, and rebuilding ``event`` deletes its
    deliveries (cascade): keep them aside and put them back."""
    op.execute("CREATE TEMP TABLE _delivery_keep AS SELECT * FROM delivery")
    with op.batch_alter_table("event", schema=None, recreate="always") as batch_op:
        batch_op.drop_column("hearing_id")
    op.execute("INSERT INTO delivery SELECT * FROM _delivery_keep")
    op.execute("DROP TABLE _delivery_keep")
