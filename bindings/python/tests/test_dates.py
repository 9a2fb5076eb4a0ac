from datetime import date, datetime

import pytest

import archase
from archase import Calendar, Roll, Weekday

EASTER_2026 = [date(2026, 4, 3), date(2026, 4, 6)]  # Good Friday, Easter Monday


def test_add_business_days_skips_weekends_and_holidays():
    assert archase.add_business_days(date(2026, 4, 2), 1, holidays=EASTER_2026) == date(2026, 4, 7)
    assert archase.add_business_days(date(2026, 4, 7), -1, holidays=EASTER_2026) == date(2026, 4, 2)
    assert archase.add_business_days(date(2026, 3, 6), 1) == date(2026, 3, 9)   # Friday + 1
    assert archase.add_business_days(date(2026, 3, 7), 1) == date(2026, 3, 9)   # Saturday + 1
    assert archase.add_business_days(date(2026, 3, 7), 0) == date(2026, 3, 9)   # rolled forward


def test_a_calendar_with_another_weekend():
    gulf = Calendar(weekend=(Weekday.FRIDAY, Weekday.SATURDAY))
    assert gulf.is_business_day(date(2026, 3, 8))        # a Sunday
    assert not gulf.is_business_day(date(2026, 3, 6))    # a Friday
    assert gulf.weekend == (Weekday.FRIDAY, Weekday.SATURDAY)


def test_every_day_a_weekend_is_refused():
    with pytest.raises(archase.InvalidArgument):
        Calendar(weekend=range(1, 8))
    with pytest.raises(ValueError):
        Calendar(weekend=[8])


def test_roll_rules():
    cal = Calendar(holidays=EASTER_2026)
    good_friday = date(2026, 4, 3)
    assert cal.roll(good_friday) == date(2026, 4, 7)
    assert cal.roll(good_friday, Roll.PRECEDING) == date(2026, 4, 2)
    assert cal.roll(good_friday, Roll.NONE) == good_friday
    assert cal.roll(date(2026, 2, 28), Roll.MODIFIED_FOLLOWING) == date(2026, 2, 27)
    assert isinstance(Roll.FOLLOWING, int)


def test_business_days_between_inverts_add_business_days():
    cal = Calendar(holidays=EASTER_2026)
    start = date(2026, 3, 30)
    for n in range(-15, 16):
        end = cal.add_business_days(start, n)
        assert cal.business_days_between(start, end) == n
    assert archase.business_days_between(date(2026, 3, 6), date(2026, 3, 9)) == 1


def test_add_months_clamps_to_the_end_of_the_month():
    assert archase.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert archase.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert archase.add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)
    with pytest.raises(archase.OutOfRange):
        archase.add_months(date(9999, 12, 1), 1)


def test_dates_are_datetime_dates_at_the_boundary():
    assert archase.parse_date("2026-02-28") == date(2026, 2, 28)
    for bad in ["2026-02-30", "2025-02-29", "2026-2-28", "2026-02-28T00:00:00", " 2026-02-28"]:
        with pytest.raises(archase.ParseError):
            archase.parse_date(bad)
    with pytest.raises(TypeError):
        archase.add_months(datetime(2026, 1, 31, 12, 0), 1)
    with pytest.raises(TypeError):
        archase.add_months("2026-01-31", 1)


def test_the_whole_date_range_crosses_the_boundary():
    assert archase.add_months(date(1, 1, 1), 0) == date(1, 1, 1)
    assert archase.add_months(date(9999, 12, 31), 0) == date(9999, 12, 31)
    with pytest.raises(archase.OutOfRange):
        archase.add_business_days(date(9999, 12, 31), 1)


def test_calendar_holidays_are_sorted_and_unique():
    cal = Calendar(holidays=[date(2026, 12, 25), date(2026, 1, 1), date(2026, 12, 25)])
    assert cal.holidays == (date(2026, 1, 1), date(2026, 12, 25))
    assert "Calendar(" in repr(cal)
