package archase

import (
	"fmt"
	"math"
	"runtime"
	"time"

	"archase/internal/capi"
)

// Dates cross to the library as civil dates (days since 1970-01-01). A
// time.Time given to this package stands for its calendar date in its own
// location (t.Date()); a date returned is midnight UTC of that day.

const dateNone = math.MinInt32 // ARCHASE_DATE_NONE

var unixEpoch = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)

func dateToC(t time.Time) (int32, error) {
	y, m, d := t.Date()
	if y < 1 || y > 9999 {
		return 0, errorf(codeRange, fmt.Sprintf("%04d-%02d-%02d is outside 0001-01-01..9999-12-31", y, m, d))
	}
	// Unix seconds, not a Duration: 0001..9999 is past a Duration's 292 years.
	days := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
	return int32(days), nil
}

func dateFromC(days int32) time.Time {
	return unixEpoch.AddDate(0, 0, int(days))
}

// ParseDate reads exactly "YYYY-MM-DD"; anything else (2026-02-30, a time,
// spaces) is ErrParse.
func ParseDate(text string) (time.Time, error) {
	var d int32
	if err := check(capi.Archase_date_parse(text, &d), "archase_date_parse"); err != nil {
		return time.Time{}, err
	}
	return dateFromC(d), nil
}

// AddMonths adds months (may be negative) to the date of t, clamped to the
// end of the month: 2026-01-31 + 1 month is 2026-02-28.
func AddMonths(t time.Time, months int) (time.Time, error) {
	d, err := dateToC(t)
	if err != nil {
		return time.Time{}, err
	}
	if months < math.MinInt32 || months > math.MaxInt32 {
		return time.Time{}, errorf(codeRange, fmt.Sprintf("%d months is out of range", months))
	}
	var out int32
	if err := check(capi.Archase_date_add_months(d, months, &out), "archase_date_add_months"); err != nil {
		return time.Time{}, err
	}
	return dateFromC(out), nil
}

// Roll says how a date that is not a business day is moved.
type Roll int

const (
	RollNone              Roll = 0 // keep it
	RollFollowing         Roll = 1 // the next business day
	RollPreceding         Roll = 2 // the previous business day
	RollModifiedFollowing Roll = 3 // the next, unless that leaves the month: the previous
)

// CalendarOptions describe a business-day calendar.
type CalendarOptions struct {
	// Weekend lists the days that are never business days; nil means
	// Saturday and Sunday, an empty slice none. Not all seven.
	Weekend []time.Weekday
	// Holidays are dates that are not business days.
	Holidays []time.Time
}

// Calendar is a business-day calendar: a weekend and holidays. It is
// immutable, so it may be shared by goroutines. Close releases it (a
// finalizer does, too, for a calendar that is dropped).
type Calendar struct {
	h capi.Archase_calendar
}

// NewCalendar makes a calendar. Errors: ErrInvalid (every day a weekend),
// ErrRange (a holiday outside 0001..9999).
func NewCalendar(opts CalendarOptions) (*Calendar, error) {
	mask := uint(1<<5 | 1<<6) // ISO 6 and 7: Saturday, Sunday
	if opts.Weekend != nil {
		mask = 0
		for _, wd := range opts.Weekend {
			if wd < time.Sunday || wd > time.Saturday {
				return nil, errorf(codeInvalid, fmt.Sprintf("%d is not a weekday", wd))
			}
			iso := int(wd)
			if wd == time.Sunday {
				iso = 7
			}
			mask |= 1 << (iso - 1)
		}
	}
	copts := capi.NewArchase_calendar_options()
	defer capi.DeleteArchase_calendar_options(copts)
	copts.SetWeekend_mask(mask)
	var p uintptr
	if err := check(capi.Archase_calendar_new(copts, &p), "archase_calendar_new"); err != nil {
		return nil, err
	}
	c := &Calendar{h: capi.SwigcptrArchase_calendar(p)}
	runtime.SetFinalizer(c, (*Calendar).Close)
	for _, day := range opts.Holidays {
		d, err := dateToC(day)
		if err == nil {
			err = check(capi.Archase_calendar_add_holiday(c.h, d), "archase_calendar_add_holiday")
		}
		if err != nil {
			c.Close()
			return nil, err
		}
	}
	return c, nil
}

// Close releases the calendar; it may not be used afterwards. Closing twice
// is harmless.
func (c *Calendar) Close() error {
	if c.h != nil {
		capi.Archase_calendar_free(c.h)
		c.h = nil
		runtime.SetFinalizer(c, nil)
	}
	return nil
}

func (c *Calendar) handle() capi.Archase_calendar {
	if c == nil || c.h == nil {
		panic("archase: use of a closed Calendar")
	}
	return c.h
}

// IsBusinessDay reports whether the date of t is neither a weekend day nor a
// holiday.
func (c *Calendar) IsBusinessDay(t time.Time) bool {
	d, err := dateToC(t)
	if err != nil {
		return false
	}
	ok := capi.Archase_calendar_is_business_day(c.handle(), d) != 0
	runtime.KeepAlive(c)
	return ok
}

// Roll moves the date of t to a business day by rule (a business day stays).
func (c *Calendar) Roll(t time.Time, rule Roll) (time.Time, error) {
	d, err := dateToC(t)
	if err != nil {
		return time.Time{}, err
	}
	var out int32
	rc := capi.Archase_calendar_roll(c.handle(), d, capi.Enum_SS_archase_roll(rule), &out)
	runtime.KeepAlive(c)
	if err := check(rc, "archase_calendar_roll"); err != nil {
		return time.Time{}, err
	}
	return dateFromC(out), nil
}

// AddBusinessDays returns the date n business days after t (before it when
// n < 0). Counting starts from the next business day: Friday + 1 and
// Saturday + 1 are both Monday; n == 0 rolls t forward. ErrRange past 9999.
func (c *Calendar) AddBusinessDays(t time.Time, n int) (time.Time, error) {
	d, err := dateToC(t)
	if err != nil {
		return time.Time{}, err
	}
	if n < math.MinInt32 || n > math.MaxInt32 {
		return time.Time{}, errorf(codeRange, fmt.Sprintf("%d business days is out of range", n))
	}
	var out int32
	rc := capi.Archase_calendar_add_business_days(c.handle(), d, n, &out)
	runtime.KeepAlive(c)
	if err := check(rc, "archase_calendar_add_business_days"); err != nil {
		return time.Time{}, err
	}
	return dateFromC(out), nil
}

// BusinessDaysBetween counts business days from from to to the way
// AddBusinessDays steps: Friday to Monday is 1, Monday to the Friday before
// is -1. Dates outside 0001..9999 count 0.
func (c *Calendar) BusinessDaysBetween(from, to time.Time) int {
	a, err1 := dateToC(from)
	b, err2 := dateToC(to)
	if err1 != nil || err2 != nil {
		return 0
	}
	n := capi.Archase_calendar_business_days_between(c.handle(), a, b)
	runtime.KeepAlive(c)
	return int(n)
}

// AddBusinessDays is t plus n business days on a Saturday-Sunday calendar
// with holidays.
func AddBusinessDays(t time.Time, n int, holidays ...time.Time) (time.Time, error) {
	c, err := NewCalendar(CalendarOptions{Holidays: holidays})
	if err != nil {
		return time.Time{}, err
	}
	defer c.Close()
	return c.AddBusinessDays(t, n)
}
