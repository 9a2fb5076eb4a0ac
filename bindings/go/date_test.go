package archase

import (
	"errors"
	"testing"
	"time"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

var easter2026 = []time.Time{day(2026, 4, 3), day(2026, 4, 6)}

func TestAddBusinessDaysSkipsWeekendsAndHolidays(t *testing.T) {
	for _, c := range []struct {
		from time.Time
		n    int
		want time.Time
	}{
		{day(2026, 4, 2), 1, day(2026, 4, 7)},
		{day(2026, 4, 7), -1, day(2026, 4, 2)},
		{day(2026, 3, 6), 1, day(2026, 3, 9)},
		{day(2026, 3, 7), 0, day(2026, 3, 9)},
	} {
		got, err := AddBusinessDays(c.from, c.n, easter2026...)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("AddBusinessDays(%s, %d) = %s, %v; want %s", c.from.Format(time.DateOnly), c.n,
				got.Format(time.DateOnly), err, c.want.Format(time.DateOnly))
		}
	}
}

func TestDatesAreTheCalendarDateOfTheTimeInItsLocation(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	late := time.Date(2026, 3, 6, 23, 30, 0, 0, tokyo) // a Friday in Tokyo, still Friday in UTC
	got, err := AddBusinessDays(late, 1)
	if err != nil || !got.Equal(day(2026, 3, 9)) || got.Location() != time.UTC {
		t.Fatalf("got %v, %v", got, err)
	}
	early := time.Date(2026, 3, 7, 0, 30, 0, 0, tokyo) // Saturday in Tokyo, Friday in UTC
	cal, _ := NewCalendar(CalendarOptions{})
	defer cal.Close()
	if cal.IsBusinessDay(early) {
		t.Fatalf("Saturday in its own location is not a business day")
	}
}

func TestCalendarWithAnotherWeekend(t *testing.T) {
	gulf, err := NewCalendar(CalendarOptions{Weekend: []time.Weekday{time.Friday, time.Saturday}})
	if err != nil {
		t.Fatal(err)
	}
	defer gulf.Close()
	if !gulf.IsBusinessDay(day(2026, 3, 8)) || gulf.IsBusinessDay(day(2026, 3, 6)) {
		t.Fatalf("Sunday works, Friday does not")
	}
	none, err := NewCalendar(CalendarOptions{Weekend: []time.Weekday{}})
	if err != nil {
		t.Fatal(err)
	}
	defer none.Close()
	if !none.IsBusinessDay(day(2026, 3, 7)) {
		t.Fatalf("an empty weekend has Saturdays at work")
	}
	all := []time.Weekday{0, 1, 2, 3, 4, 5, 6}
	if _, err := NewCalendar(CalendarOptions{Weekend: all}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("every day a weekend: %v", err)
	}
}

func TestRollRules(t *testing.T) {
	cal, err := NewCalendar(CalendarOptions{Holidays: easter2026})
	if err != nil {
		t.Fatal(err)
	}
	defer cal.Close()
	goodFriday := day(2026, 4, 3)
	for rule, want := range map[Roll]time.Time{
		RollFollowing: day(2026, 4, 7), RollPreceding: day(2026, 4, 2), RollNone: goodFriday,
	} {
		got, err := cal.Roll(goodFriday, rule)
		if err != nil || !got.Equal(want) {
			t.Errorf("Roll(%d) = %v, %v", rule, got, err)
		}
	}
	got, err := cal.Roll(day(2026, 2, 28), RollModifiedFollowing)
	if err != nil || !got.Equal(day(2026, 2, 27)) {
		t.Errorf("modified following = %v, %v", got, err)
	}
	if _, err := cal.Roll(goodFriday, Roll(9)); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown rule: %v", err)
	}
}

func TestBusinessDaysBetweenInvertsAddBusinessDays(t *testing.T) {
	cal, _ := NewCalendar(CalendarOptions{Holidays: easter2026})
	defer cal.Close()
	start := day(2026, 3, 30)
	for n := -15; n <= 15; n++ {
		end, err := cal.AddBusinessDays(start, n)
		if err != nil {
			t.Fatal(err)
		}
		if got := cal.BusinessDaysBetween(start, end); got != n {
			t.Fatalf("between(%v, %v) = %d, want %d", start, end, got, n)
		}
	}
}

func TestAddMonthsAndParseDate(t *testing.T) {
	got, err := AddMonths(day(2026, 1, 31), 1)
	if err != nil || !got.Equal(day(2026, 2, 28)) {
		t.Fatalf("AddMonths = %v, %v", got, err)
	}
	if _, err := AddMonths(day(9999, 12, 1), 1); !errors.Is(err, ErrRange) {
		t.Fatalf("past 9999: %v", err)
	}
	d, err := ParseDate("2024-02-29")
	if err != nil || !d.Equal(day(2024, 2, 29)) {
		t.Fatalf("ParseDate = %v, %v", d, err)
	}
	for _, bad := range []string{"2026-02-30", "2025-02-29", "2026-2-28", "2026-02-28T00:00:00Z"} {
		if _, err := ParseDate(bad); !errors.Is(err, ErrParse) {
			t.Errorf("ParseDate(%q) = %v", bad, err)
		}
	}
	if _, err := AddMonths(time.Time{}, 1); err != nil {
		t.Errorf("the zero time is 0001-01-01: %v", err)
	}
	if _, err := AddMonths(day(10000, 1, 1), 0); !errors.Is(err, ErrRange) {
		t.Errorf("year 10000: %v", err)
	}
}

func TestCloseTwiceAndCalendarsShared(t *testing.T) {
	cal, _ := NewCalendar(CalendarOptions{Holidays: easter2026})
	done := make(chan bool)
	for g := 0; g < 8; g++ {
		go func() {
			for i := 0; i < 200; i++ {
				if d, err := cal.AddBusinessDays(day(2026, 4, 2), 1); err != nil || !d.Equal(day(2026, 4, 7)) {
					t.Errorf("concurrent use: %v, %v", d, err)
				}
			}
			done <- true
		}()
	}
	for g := 0; g < 8; g++ {
		<-done
	}
	cal.Close()
	cal.Close()
}

func TestTheWholeDateRangeCrossesTheBoundary(t *testing.T) {
	for _, d := range []time.Time{day(1, 1, 1), day(1969, 12, 31), day(1970, 1, 1), day(9999, 12, 31)} {
		got, err := AddMonths(d, 0)
		if err != nil || !got.Equal(d) {
			t.Errorf("AddMonths(%v, 0) = %v, %v", d, got, err)
		}
	}
	if _, err := AddBusinessDays(day(9999, 12, 31), 1); !errors.Is(err, ErrRange) {
		t.Errorf("past 9999-12-31: %v", err)
	}
}
