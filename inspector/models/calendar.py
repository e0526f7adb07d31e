"""The official working-day calendar: which years are loaded from a State Council notice, and the
days of those years that differ from the Monday–Friday rule (next-capabilities §0, CAL-1)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, db, utcnow
from .account import User

DAY_KINDS = ("holiday", "makeup_workday")  # a rest day of a holiday period; a 调休 working weekend day
SOURCES = ("chinesecalendar", "notice")  # seeded from the package; entered by an admin from the notice


class CalendarYear(db.Model):
    """A year whose notice is loaded: its days are official. A year without a row is provisional."""

    __tablename__ = "calendar_year"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(20))
    notice_no: Mapped[str | None] = mapped_column(String(80), nullable=True)  # 国办发明电〔2026〕N号
    notice_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    source_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    special: Mapped[bool] = mapped_column(Boolean, default=False)  # 特殊情形: > 6 working days in a row allowed
    loaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The sync version of the change: a phone whose cursor is older gets the calendar in its pull.
    version: Mapped[int] = mapped_column(BigInteger, default=0)

    loaded_by: Mapped[User | None] = relationship()


class CalendarDay(db.Model):
    """A day that is not what its weekday says: a holiday rest day or a make-up working day.

    `year` is the notice that set it; 元旦 rest days of a notice may fall in the last days of the
    December before (the 2023 notice rests 2022-12-31)."""

    __tablename__ = "calendar_day"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    year: Mapped[int] = mapped_column(ForeignKey("calendar_year.year", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(60))  # the holiday, e.g. 春节
