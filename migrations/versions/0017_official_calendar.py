"""official calendar: the working-day calendar deadlines count on, seeded from chinesecalendar

Revision ID: 0017_official_calendar
Revises: 0012_failed_jobs

Two new tables. `calendar_year` lists the years whose State Council notice is loaded (a year
without a row is provisional); `calendar_day` holds each holiday rest day and 调休 working
weekend day. The years the pinned chinesecalendar package covers (2004–2026 in 1.11.0) are loaded
here, stamped with a new sync version so that phones already in the field get the calendar in
their next pull.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import inspector.database

revision = "0017_official_calendar"
down_revision = "0012_failed_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_year",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("notice_no", sa.String(length=80), nullable=True),
        sa.Column("notice_date", sa.Date(), nullable=True),
        sa.Column("source_url", sa.String(length=500), nullable=True),
        sa.Column("special", sa.Boolean(), nullable=False),
        sa.Column("loaded_by_id", sa.Integer(), nullable=True),
        sa.Column("loaded_at", inspector.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["loaded_by_id"], ["user_account.id"],
                                name=op.f("fk_calendar_year_loaded_by_id_user_account")),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_calendar_year")),
    )
    op.create_table(
        "calendar_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(["year"], ["calendar_year.year"],
                                name=op.f("fk_calendar_day_year_calendar_year"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_calendar_day")),
    )
    with op.batch_alter_table("calendar_day", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calendar_day_year"), ["year"], unique=False)
    _seed()


def _seed() -> None:
    from inspector.database import utcnow
    from inspector.services.calendar.seed import package_days

    bind = op.get_bind()
    state = sa.table("sync_state", sa.column("id", sa.Integer), sa.column("version", sa.BigInteger))
    version = bind.execute(sa.select(state.c.version).where(state.c.id == 1)).scalar()
    if version is None:
        version = 1
        bind.execute(sa.insert(state).values(id=1, version=version))
    else:
        version += 1
        bind.execute(sa.update(state).where(state.c.id == 1).values(version=version))
    years = sa.table("calendar_year", sa.column("year", sa.Integer), sa.column("source", sa.String),
                     sa.column("special", sa.Boolean),
                     sa.column("loaded_at", inspector.database.UTCDateTime(timezone=True)),
                     sa.column("version", sa.BigInteger))
    days = sa.table("calendar_day", sa.column("day", sa.Date), sa.column("year", sa.Integer),
                    sa.column("kind", sa.String), sa.column("name", sa.String))
    seeded = package_days()
    now = utcnow()
    bind.execute(sa.insert(years), [{"year": year, "source": "chinesecalendar", "special": False,
                                     "loaded_at": now, "version": version} for year in sorted(seeded)])
    bind.execute(sa.insert(days), [{"year": year, **row} for year in sorted(seeded) for row in seeded[year]])


def downgrade() -> None:
    with op.batch_alter_table("calendar_day", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_day_year"))
    op.drop_table("calendar_day")
    op.drop_table("calendar_year")
