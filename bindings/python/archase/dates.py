"""Dates and business-day calendars.

Dates cross the boundary as :class:`datetime.date` (a ``datetime`` is refused:
it would silently lose its time). Business days follow a :class:`Calendar`: a
weekend and a list of holidays, the way policy calendars are written::

    >>> from datetime import date
    >>> easter = [date(2026, 4, 3), date(2026, 4, 6)]
    >>> add_business_days(date(2026, 4, 2), 1, holidays=easter)
    datetime.date(2026, 4, 7)
"""

from __future__ import annotations

import enum
from datetime import date
from typing import Iterable

from . import capi

__all__ = [
    "Roll",
    "Weekday",
    "Calendar",
    "add_business_days",
    "business_days_between",
    "add_months",
    "parse_date",
]


class Roll(enum.IntEnum):
    """How a date that is not a business day is moved."""

    NONE = capi.ARCHASE_ROLL_NONE
    """Keep it."""
    FOLLOWING = capi.ARCHASE_ROLL_FOLLOWING
    """The next business day."""
    PRECEDING = capi.ARCHASE_ROLL_PRECEDING
    """The previous business day."""
    MODIFIED_FOLLOWING = capi.ARCHASE_ROLL_MODIFIED_FOLLOWING
    """The next business day, unless that leaves the month: the previous one."""


class Weekday(enum.IntEnum):
    """ISO weekdays, as :meth:`datetime.date.isoweekday` numbers them."""

    MONDAY = 1
    TUESDAY = 2
    WEDNESDAY = 3
    THURSDAY = 4
    FRIDAY = 5
    SATURDAY = 6
    SUNDAY = 7


_SATURDAY_SUNDAY = (Weekday.SATURDAY, Weekday.SUNDAY)


class Calendar:
    """A business-day calendar: weekend days and holidays. Immutable.

    ``Calendar(holidays=[date(2026, 12, 25)])`` has Saturday and Sunday off;
    ``weekend=(Weekday.FRIDAY, Weekday.SATURDAY)`` changes that (not all seven).
    """

    __slots__ = ("_cal", "_weekend", "_holidays")

    def __init__(self, holidays: Iterable[date] = (),
                 weekend: Iterable[int] = _SATURDAY_SUNDAY) -> None:
        weekend_days = tuple(sorted({Weekday(int(d)) for d in weekend}))
        opts = capi.archase_calendar_options()
        capi.archase_calendar_options_init(opts, capi.ARCHASE_CALENDAR_OPTIONS_VERSION)
        opts.weekend_mask = sum(1 << (d - 1) for d in weekend_days)
        cal = capi.archase_calendar_new(opts)
        days = sorted(set(holidays))
        for day in days:
            capi.archase_calendar_add_holiday(cal, day)
        self._cal = cal
        self._weekend = weekend_days
        self._holidays = tuple(days)

    @property
    def weekend(self) -> tuple:
        """The weekdays that are never business days."""
        return self._weekend

    @property
    def holidays(self) -> tuple:
        """The holidays, in date order."""
        return self._holidays

    def __repr__(self) -> str:
        return f"Calendar(holidays={list(self._holidays)!r}, weekend={[d.name for d in self._weekend]!r})"

    def is_business_day(self, day: date) -> bool:
        """True when ``day`` is neither a weekend day nor a holiday."""
        return capi.archase_calendar_is_business_day(self._cal, day)

    def roll(self, day: date, rule: Roll = Roll.FOLLOWING) -> date:
        """Moves ``day`` to a business day by ``rule`` (a business day stays)."""
        return capi.archase_calendar_roll(self._cal, day, Roll(rule))

    def add_business_days(self, day: date, n: int) -> date:
        """The date ``n`` business days after ``day`` (before it when n < 0).
        Counting starts from the next business day: Friday + 1 and Saturday + 1
        are both Monday; n == 0 rolls ``day`` forward."""
        return capi.archase_calendar_add_business_days(self._cal, day, n)

    def business_days_between(self, start: date, end: date) -> int:
        """Business days from ``start`` to ``end``, counted the way
        :meth:`add_business_days` steps (Friday to Monday is 1, Monday to
        Friday before it is -1)."""
        return capi.archase_calendar_business_days_between(self._cal, start, end)


def add_business_days(day: date, n: int, *, holidays: Iterable[date] = (),
                      weekend: Iterable[int] = _SATURDAY_SUNDAY) -> date:
    """``day`` plus ``n`` business days on a calendar of ``holidays`` and ``weekend``."""
    return Calendar(holidays, weekend).add_business_days(day, n)


def business_days_between(start: date, end: date, *, holidays: Iterable[date] = (),
                          weekend: Iterable[int] = _SATURDAY_SUNDAY) -> int:
    """Business days from ``start`` to ``end`` (see :meth:`Calendar.business_days_between`)."""
    return Calendar(holidays, weekend).business_days_between(start, end)


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` (may be negative), clamped to the end of the
    month: 2026-01-31 + 1 month is 2026-02-28."""
    return capi.archase_date_add_months(day, months)


def parse_date(text: str) -> date:
    """Reads exactly ``YYYY-MM-DD``; anything else (2026-02-30, a time, spaces)
    raises :class:`archase.ParseError`."""
    return capi.archase_date_parse(text)
