"""The years the pinned `chinesecalendar` package knows (2004–2026 in 1.11.0), as calendar rows.

The package holds every rest day of each holiday period (weekends inside it included) and the
调休 working weekend days; it raises for a year it does not know, which then stays provisional
until an admin enters the year's notice.
"""
from __future__ import annotations

from datetime import date
from typing import Any

PACKAGE = "chinesecalendar"

# The package's English holiday names, in the notices' words.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(PACKAGE)
    except PackageNotFoundError:  # pragma: no cover - the package is a pinned requirement
        return "unknown"


def _notice_year(day: date, english: str) -> int:
    # 元旦 rest or make-up days in late December belong to the next year's notice.
    return day.year + 1 if day.month == 12 and english == "New Year's Day" else day.year


def package_days() -> dict[int, list[dict[str, Any]]]:
    """{notice year: [{day, kind, name}]} for every year the package covers."""
    from chinese_calendar import constants

    years: dict[int, list[dict[str, Any]]] = {}
    for table, kind in ((constants.holidays, "holiday"), (constants.workdays, "makeup_workday")):
        for day, english in table.items():
            name = HOLIDAY_NAMES.get(english, english)
            years.setdefault(_notice_year(day, english), []).append({"day": day, "kind": kind, "name": name})
    for rows in years.values():
        rows.sort(key=lambda r: r["day"])
    return years


def package_years() -> range:
    """The calendar years the package answers for (it raises outside them)."""
    from chinese_calendar import constants

    days = list(constants.holidays) + list(constants.workdays)
    return range(min(d.year for d in days), max(d.year for d in days) + 1)
