"""`archase date`: civil dates, month and business-day arithmetic, and local
time in IANA zones, with errors that name what is wrong and the usual exit
codes (0 ok, 1 invalid data, 2 usage). The local times are checked against
Python's zoneinfo reading the same TZif files."""
import datetime
import json
import os
import random

import pytest

try:
    import zoneinfo
except ImportError:  # Python < 3.9
    zoneinfo = None

SYSTEM_TZDIR = "/usr/share/zoneinfo"


def need_zone(name):
    if not os.path.isfile(os.path.join(SYSTEM_TZDIR, name)):
        pytest.skip(f"{name} is not in {SYSTEM_TZDIR}")


def test_help_describes_every_action(archase):
    r = archase("date", "--help")
    assert r.code == 0
    assert r.out.startswith("usage: archase date")
    for action in ("info", "add-months", "business-days", "local", "instant"):
        assert f"  {action} " in r.out, action
    assert "date" in archase("--help").out


# ---- info ------------------------------------------------------------------

@pytest.mark.parametrize("text, weekday, name, days", [
    ("1970-01-01", 4, "Thursday", 0),
    ("2026-01-05", 1, "Monday", 20458),
    ("2024-02-29", 4, "Thursday", 19782),
    ("1969-12-31", 3, "Wednesday", -1),
    ("0001-01-01", 1, "Monday", -719162),
    ("9999-12-31", 5, "Friday", 2932896),
])
def test_info_gives_weekday_and_days_since_epoch(archase, text, weekday, name, days):
    r = archase("date", "info", text)
    assert r.code == 0, r.err
    assert r.out == f"date: {text}\nweekday: {weekday} ({name})\ndays since 1970-01-01: {days}\n"
    data = archase("date", "info", text, "--json").json()
    assert data["date"] == text
    assert data["weekday"] == weekday
    assert data["weekday_name"] == name
    assert data["days_since_epoch"] == days
    assert (data["year"], data["month"], data["day"]) == tuple(int(p) for p in text.split("-"))


def test_info_knows_leap_years(archase):
    for year, leap in ((1900, False), (2000, True), (2024, True), (2100, False), (2026, False)):
        data = archase("date", "info", f"{year}-02-01", "--json").json()
        assert data["leap_year"] is leap, year
        assert data["days_in_month"] == (29 if leap else 28), year


@pytest.mark.parametrize("text, why", [
    ("2026-02-30", "no such day (February 2026 has 28 days)"),
    ("2025-02-29", "no such day (February 2025 has 28 days)"),
    ("2026-04-31", "no such day (April 2026 has 30 days)"),
    ("2026-13-01", "there is no month 13"),
    ("2026-01-00", "there is no day 00"),
    ("0000-01-01", "year 0000 is outside 0001..9999"),
    ("2026-1-05", "not a date (expected YYYY-MM-DD)"),
    ("2026-01-05x", "not a date"),
    (" 2026-01-05", "not a date"),
    ("2026/01/05", "not a date"),
    ("", "not a date"),
])
def test_invalid_dates_are_rejected_naming_the_problem(archase, text, why):
    r = archase("date", "info", text)
    assert r.code == 1
    assert r.out == ""
    assert r.err.startswith(f'archase date: "{text}": ')
    assert why in r.err


# ---- months ------------------------------------------------------------------

@pytest.mark.parametrize("date, n, expected", [
    ("2026-01-31", "1", "2026-02-28"),
    ("2024-01-31", "1", "2024-02-29"),
    ("2026-03-31", "-1", "2026-02-28"),
    ("2024-02-29", "12", "2025-02-28"),
    ("2026-01-15", "-13", "2024-12-15"),
    ("2026-05-31", "0", "2026-05-31"),
])
def test_add_months_clamps_to_the_end_of_the_month(archase, date, n, expected):
    r = archase("date", "add-months", date, n)
    assert r.code == 0, r.err
    assert r.out == expected + "\n"
    data = archase("date", "add-months", date, n, "--json").json()
    assert data["date"] == expected


def test_add_months_reports_bad_numbers_and_the_range(archase):
    r = archase("date", "add-months", "9999-12-01", "1")
    assert r.code == 1
    assert "outside 0001-01-01..9999-12-31" in r.err
    for n in ("1.5", "+1", "x", "", "99999999999"):
        r = archase("date", "add-months", "2026-01-01", n)
        assert r.code == 1, n
        assert f'N "{n}"' in r.err


# ---- business days ---------------------------------------------------------

@pytest.mark.parametrize("start, n, expected", [
    ("2026-01-09", "1", "2026-01-12"),   # Friday + 1 = Monday
    ("2026-01-10", "1", "2026-01-12"),   # Saturday + 1 = Monday
    ("2026-01-12", "-1", "2026-01-09"),  # Monday - 1 = Friday
    ("2026-01-11", "-1", "2026-01-09"),  # Sunday - 1 = Friday
    ("2026-01-10", "0", "2026-01-12"),   # rolled forward
    ("2026-01-07", "0", "2026-01-07"),
    ("2026-01-05", "10", "2026-01-19"),
])
def test_business_days_skip_the_weekend(archase, start, n, expected):
    r = archase("date", "business-days", start, n)
    assert r.code == 0, r.err
    assert r.out == expected + "\n"


def test_business_days_skip_every_holiday_given(archase):
    r = archase("date", "business-days", "2026-04-02", "1",
                "--holiday", "2026-04-03", "--holiday=2026-04-06", "--json")
    assert r.code == 0, r.err
    assert r.json() == {"date": "2026-04-07", "weekday": 2, "weekday_name": "Tuesday",
                        "days_since_epoch": 20550, "from": "2026-04-02", "n": 1}
    # Only the last holiday: Good Friday is a business day again.
    assert archase("date", "business-days", "2026-04-02", "1",
                   "--holiday", "2026-04-06").out == "2026-04-03\n"


def test_business_days_use_the_weekend_given(archase):
    assert archase("date", "business-days", "2026-01-08", "1",
                   "--weekend", "fri,sat").out == "2026-01-11\n"
    assert archase("date", "business-days", "2026-01-09", "1",
                   "--weekend", "none").out == "2026-01-10\n"
    r = archase("date", "business-days", "2026-01-09", "1", "--weekend", "sat,sunday")
    assert r.code == 1
    assert "--weekend" in r.err
    r = archase("date", "business-days", "2026-01-09", "1",
                "--weekend", "mon,tue,wed,thu,fri,sat,sun")
    assert r.code == 1
    assert "every day would be a weekend" in r.err


def test_business_days_report_bad_holidays_and_the_range(archase):
    r = archase("date", "business-days", "2026-01-09", "1", "--holiday", "2026-02-30")
    assert r.code == 1
    assert '"2026-02-30": no such day' in r.err
    r = archase("date", "business-days", "9999-12-30", "5")
    assert r.code == 1
    assert "outside 0001-01-01..9999-12-31" in r.err


# ---- local time --------------------------------------------------------------

@pytest.mark.parametrize("zone, instant, line", [
    ("Europe/Berlin", "2026-03-29T00:59:59Z", "2026-03-29 01:59:59 +01:00 CET std"),
    ("Europe/Berlin", "2026-03-29T01:00:00Z", "2026-03-29 03:00:00 +02:00 CEST dst"),
    ("Europe/Berlin", "2026-10-25T00:59:59Z", "2026-10-25 02:59:59 +02:00 CEST dst"),
    ("Europe/Berlin", "2026-10-25T01:00:00Z", "2026-10-25 02:00:00 +01:00 CET std"),
    ("Europe/Berlin", "2100-07-01T12:00:00Z", "2100-07-01 14:00:00 +02:00 CEST dst"),
    ("America/New_York", "2026-03-08T07:00:00Z", "2026-03-08 03:00:00 -04:00 EDT dst"),
    ("America/New_York", "2026-11-01T06:00:00Z", "2026-11-01 01:00:00 -05:00 EST std"),
    ("Australia/Lord_Howe", "2026-04-04T15:00:00Z", "2026-04-05 01:30:00 +10:30 +1030 std"),
    ("Australia/Lord_Howe", "2026-10-03T15:30:00Z", "2026-10-04 02:30:00 +11:00 +11 dst"),
    ("Asia/Kolkata", "2026-03-29T01:00:00+02:00", "2026-03-29 04:30:00 +05:30 IST std"),
    ("UTC", "2026-03-29T01:00:00Z", "2026-03-29 01:00:00 +00:00 UTC std"),
])
def test_local_shows_offset_abbreviation_and_dst(archase, zone, instant, line):
    need_zone(zone)
    r = archase("date", "local", instant, "--tz", zone)
    assert r.code == 0, r.err
    assert r.out == line + "\n"


def test_local_prints_one_json_object_per_instant(archase):
    need_zone("Europe/Berlin")
    r = archase("date", "local", "2026-03-29T00:59:59Z", "2026-03-29T01:00:00Z",
                "--tz", "Europe/Berlin", "--json")
    assert r.code == 0, r.err
    rows = [json.loads(line) for line in r.out.splitlines()]
    assert rows == [
        {"instant": "2026-03-29T00:59:59Z", "zone": "Europe/Berlin", "date": "2026-03-29",
         "time": "01:59:59", "utc_offset": "+01:00", "utc_offset_seconds": 3600,
         "abbreviation": "CET", "dst": False},
        {"instant": "2026-03-29T01:00:00Z", "zone": "Europe/Berlin", "date": "2026-03-29",
         "time": "03:00:00", "utc_offset": "+02:00", "utc_offset_seconds": 7200,
         "abbreviation": "CEST", "dst": True},
    ]


@pytest.mark.parametrize("zone, why", [
    ("../etc/passwd", "not a zone name"),
    ("/etc/passwd", "not a zone name"),
    ("", "not a zone name"),
    ("Europe//Berlin", "not a zone name"),
    ("Europe/Nowhere", 'unknown time zone "Europe/Nowhere"'),
])
def test_bad_zones_are_rejected(archase, zone, why):
    need_zone("Europe/Berlin")
    r = archase("date", "local", "2026-03-29T01:00:00Z", "--tz", zone)
    assert r.code == 1
    assert r.out == ""
    assert why in r.err


def test_a_corrupt_zone_file_is_reported(archase, tmp_path):
    need_zone("Europe/Berlin")
    data = open(os.path.join(SYSTEM_TZDIR, "Europe/Berlin"), "rb").read()
    (tmp_path / "Cut").write_bytes(data[:len(data) // 2])
    (tmp_path / "Whole").write_bytes(data)
    r = archase("date", "local", "2026-03-29T01:00:00Z", "--tz", "Cut", "--tzdir", tmp_path)
    assert r.code == 1
    assert "not a valid TZif file" in r.err
    r = archase("date", "local", "2026-03-29T01:00:00Z", "--tz", "Whole", "--tzdir", tmp_path)
    assert r.code == 0, r.err
    assert r.out == "2026-03-29 03:00:00 +02:00 CEST dst\n"


@pytest.mark.parametrize("instant", [
    "2026-03-29T24:00:00Z", "2026-12-31T23:59:60Z", "2026-03-29T01:00:00", "garbage",
    "2026-03-29T01:00:00.5Z", "2026-02-30T01:00:00Z",
])
def test_local_rejects_malformed_instants(archase, instant):
    r = archase("date", "local", instant, "--tz", "UTC")
    assert r.code == 1
    assert f'"{instant}": not an instant' in r.err


# ---- local to instant -------------------------------------------------------

@pytest.mark.parametrize("zone, date, time, instant, local", [
    # The gap: 02:30 does not exist and moves forward by the hour skipped.
    ("Europe/Berlin", "2026-03-29", "02:30", "2026-03-29T01:30:00Z", "03:30:00"),
    # The overlap: 02:30 happens twice; the first (CEST) wins.
    ("Europe/Berlin", "2026-10-25", "02:30:00", "2026-10-25T00:30:00Z", "02:30:00"),
    ("America/New_York", "2026-03-08", "02:30", "2026-03-08T07:30:00Z", "03:30:00"),
    ("America/New_York", "2026-11-01", "01:30", "2026-11-01T05:30:00Z", "01:30:00"),
    ("Australia/Lord_Howe", "2026-10-04", "02:15", "2026-10-03T15:45:00Z", "02:45:00"),
    ("Asia/Kolkata", "2026-01-05", "09:00", "2026-01-05T03:30:00Z", "09:00:00"),
])
def test_instant_resolves_gaps_forward_and_overlaps_to_the_first(archase, zone, date, time,
                                                                 instant, local):
    need_zone(zone)
    data = archase("date", "instant", date, time, "--tz", zone, "--json").json()
    assert data["instant"] == instant
    assert data["local"]["time"] == local
    r = archase("date", "instant", date, time, "--tz", zone)
    assert r.code == 0, r.err
    assert r.out.startswith(instant + " (")


@pytest.mark.parametrize("time", ["24:00", "12:60", "1:00", "12:00:60", "noon", "12:00:00Z"])
def test_instant_rejects_bad_times(archase, time):
    r = archase("date", "instant", "2026-01-05", time, "--tz", "UTC")
    assert r.code == 1
    assert f'"{time}": not a time' in r.err


# ---- usage -------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    [],
    ["when"],
    ["info"],
    ["info", "2026-01-05", "2026-01-06"],
    ["add-months", "2026-01-05"],
    ["local", "--tz", "UTC"],
    ["local", "2026-01-05T00:00:00Z"],
    ["instant", "2026-01-05", "09:00"],
    ["info", "2026-01-05", "--tz", "UTC"],
    ["local", "2026-01-05T00:00:00Z", "--tz", "UTC", "--holiday", "2026-01-05"],
    ["info", "2026-01-05", "--bogus"],
    ["business-days", "2026-01-05", "1", "--holiday"],
])
def test_usage_errors_exit_2(archase, args):
    r = archase("date", *args)
    assert r.code == 2
    assert r.out == ""
    assert r.err.startswith("archase date: ")


# ---- against Python's zoneinfo ----------------------------------------------

ZONES = [
    "UTC", "Europe/Berlin", "Europe/London", "Europe/Moscow", "Europe/Lisbon",
    "America/New_York", "America/Los_Angeles", "America/St_Johns", "America/Sao_Paulo",
    "America/Santiago", "America/Nuuk", "Africa/Casablanca", "Asia/Kolkata", "Asia/Kathmandu",
    "Asia/Tehran", "Asia/Tokyo", "Australia/Sydney", "Australia/Lord_Howe", "Pacific/Auckland",
    "Pacific/Chatham", "Pacific/Apia", "Pacific/Kiritimati",
]
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
END_2100 = int((datetime.datetime(2101, 1, 1, tzinfo=datetime.timezone.utc) - EPOCH).total_seconds())


def zone_dir(name):
    """The folder zoneinfo reads `name` from, so both sides read the same file."""
    for folder in zoneinfo.TZPATH:
        if os.path.isfile(os.path.join(folder, name)):
            return folder
    return None


def expected_local(zone, t):
    local = datetime.datetime.fromtimestamp(t, zone)
    offset = int(local.utcoffset().total_seconds())
    return {"date": local.strftime("%Y-%m-%d"), "time": local.strftime("%H:%M:%S"),
            "utc_offset_seconds": offset, "abbreviation": local.tzname(),
            "dst": bool(local.dst())}


def transitions(zone, first_year, last_year):
    """Instants where the offset or abbreviation changes, to the second."""
    def state(t):
        local = datetime.datetime.fromtimestamp(t, zone)
        return local.utcoffset(), local.tzname()
    start = int((datetime.datetime(first_year, 1, 1, tzinfo=datetime.timezone.utc) - EPOCH).total_seconds())
    end = int((datetime.datetime(last_year + 1, 1, 1, tzinfo=datetime.timezone.utc) - EPOCH).total_seconds())
    found = []
    step = 6 * 3600
    t, before = start, state(start)
    while t < end:
        after = state(t + step)
        if after != before:
            lo, hi = t, t + step  # state(lo) == before, state(hi) == after
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if state(mid) == before:
                    lo = mid
                else:
                    hi = mid
            found.append(hi)
        t, before = t + step, after
    return found


def iso(t):
    return (EPOCH + datetime.timedelta(seconds=t)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize("name", ZONES)
def test_local_agrees_with_python_zoneinfo(archase, name):
    if zoneinfo is None:
        pytest.skip("Python has no zoneinfo")
    folder = zone_dir(name)
    if folder is None:
        pytest.skip(f"zoneinfo has no {name}")
    try:
        zone = zoneinfo.ZoneInfo.no_cache(name)
    except zoneinfo.ZoneInfoNotFoundError:
        pytest.skip(f"zoneinfo has no {name}")
    rng = random.Random(name)
    instants = [rng.randrange(0, END_2100) for _ in range(200)]
    # Both sides of every change in a table year and in footer-rule years.
    for t in transitions(zone, 2024, 2027) + transitions(zone, 2098, 2100):
        instants += [t - 1, t]
    r = archase("date", "local", *[iso(t) for t in instants], "--tz", name, "--tzdir", folder,
                "--json")
    assert r.code == 0, r.err
    rows = [json.loads(line) for line in r.out.splitlines()]
    assert len(rows) == len(instants)
    for t, row in zip(instants, rows):
        want = expected_local(zone, t)
        got = {k: row[k] for k in want}
        assert got == want, f"{name} at {iso(t)}"
