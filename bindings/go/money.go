package archase

import (
	"bytes"
	"fmt"

	"archase/internal/capi"
)

// Money is an exact amount: Minor units (cents, yen, fils) of an ISO 4217
// Currency. There is no floating point anywhere in it; arithmetic is the C
// library's, and an overflow past 64-bit minor units is an error, never a
// wrap. The zero value has no currency and is not money.
type Money struct {
	Minor    int64  // the amount in minor units of Currency
	Currency string // the upper-case 3-letter code, e.g. "EUR"
}

// Currency is an entry of the ISO 4217 table the library carries.
type Currency struct {
	Code       string // "EUR"
	Numeric    int    // 978
	MinorUnits int    // decimals of the minor unit (0, 2, 3 or 4); -1 for codes that are not money
	Name       string // "Euro"
}

// LookupCurrency finds a currency by its upper-case code; ErrCurrency when
// the table has no such code.
func LookupCurrency(code string) (Currency, error) {
	c := capi.NewArchase_currency()
	defer capi.DeleteArchase_currency(c)
	if err := check(capi.Archase_currency_lookup(code, c), "archase_currency_lookup"); err != nil {
		return Currency{}, err
	}
	return currencyFromC(c), nil
}

// Currencies returns the whole table in code order.
func Currencies() []Currency {
	c := capi.NewArchase_currency()
	defer capi.DeleteArchase_currency(c)
	n := capi.Archase_currency_count()
	out := make([]Currency, 0, n)
	for i := int64(0); i < n; i++ {
		if capi.Archase_currency_at(i, c) == 0 {
			out = append(out, currencyFromC(c))
		}
	}
	return out
}

func currencyFromC(c capi.Archase_currency) Currency {
	return Currency{Code: c.GetCode(), Numeric: int(c.GetNumeric()), MinorUnits: int(c.GetMinor_units()), Name: c.GetName()}
}

// ParseMoney reads "1234.56 EUR" strictly: an optional '-', digits, at most
// as many decimals as the currency has, one space and an upper-case code.
// Errors: ErrParse (malformed, too many decimals), ErrCurrency, ErrOverflow.
func ParseMoney(text string) (Money, error) {
	var c capi.Money
	if err := check(capi.Archase_money_parse(text, &c), "archase_money_parse"); err != nil {
		return Money{}, err
	}
	return moneyFromC(&c), nil
}

// ParseAmount reads an amount without its code ("1234.56") in currency, by
// the rules of ParseMoney.
func ParseAmount(amount, currency string) (Money, error) {
	var c capi.Money
	if err := check(capi.Archase_money_parse_amount(amount, currency, &c), "archase_money_parse_amount"); err != nil {
		return Money{}, err
	}
	return moneyFromC(&c), nil
}

// MustParseMoney is ParseMoney for constants in programs and tests: it panics
// on an error.
func MustParseMoney(text string) Money {
	m, err := ParseMoney(text)
	if err != nil {
		panic(err)
	}
	return m
}

func moneyFromC(c *capi.Money) Money {
	code := c.Currency[:]
	if i := bytes.IndexByte(code, 0); i >= 0 {
		code = code[:i]
	}
	return Money{Minor: c.Minor, Currency: string(code)}
}

// toC is m in the C layout; a code that is not three bytes cannot be one.
func (m Money) toC() (capi.Money, error) {
	var c capi.Money
	if len(m.Currency) != 3 {
		return c, errorf(codeCurrency, fmt.Sprintf("%q is not a 3-letter currency code", m.Currency))
	}
	c.Minor = m.Minor
	copy(c.Currency[:], m.Currency)
	return c, nil
}

// String writes "1234.56 EUR", with every minor digit, the text ParseMoney
// reads back. Money whose currency is not in the table prints its minor
// units: "1234 minor units of ABC".
func (m Money) String() string {
	var buf [capi.ARCHASE_MONEY_FORMAT_MAX]byte
	c, err := m.toC()
	if err == nil && capi.Archase_money_format(&c, buf[:]) == 0 {
		return cString(buf[:])
	}
	return fmt.Sprintf("%d minor units of %s", m.Minor, m.Currency)
}

// Amount writes the amount alone, "1234.56".
func (m Money) Amount() (string, error) {
	var buf [capi.ARCHASE_MONEY_FORMAT_MAX]byte
	c, err := m.toC()
	if err != nil {
		return "", err
	}
	if err := check(capi.Archase_money_format_amount(&c, buf[:]), "archase_money_format_amount"); err != nil {
		return "", err
	}
	return cString(buf[:]), nil
}

type moneyOp func(*capi.Money, *capi.Money, *capi.Money) int

func (m Money) binary(o Money, op moneyOp, fn string) (Money, error) {
	a, err := m.toC()
	if err != nil {
		return Money{}, err
	}
	b, err := o.toC()
	if err != nil {
		return Money{}, err
	}
	var out capi.Money
	if err := check(op(&a, &b, &out), fn); err != nil {
		return Money{}, err
	}
	return moneyFromC(&out), nil
}

// Add returns m + o. Errors: ErrCurrency (different currencies), ErrOverflow.
func (m Money) Add(o Money) (Money, error) {
	return m.binary(o, capi.Archase_money_add, "archase_money_add")
}

// Sub returns m - o. Errors: ErrCurrency (different currencies), ErrOverflow.
func (m Money) Sub(o Money) (Money, error) {
	return m.binary(o, capi.Archase_money_sub, "archase_money_sub")
}

// Cmp returns -1, 0 or 1 as m is less than, equal to or greater than o;
// ErrCurrency when they are in different currencies (there is no order).
func (m Money) Cmp(o Money) (int, error) {
	a, err := m.toC()
	if err != nil {
		return 0, err
	}
	b, err := o.toC()
	if err != nil {
		return 0, err
	}
	var result int32
	if err := check(capi.Archase_money_cmp(&a, &b, &result), "archase_money_cmp"); err != nil {
		return 0, err
	}
	return int(result), nil
}

// Split returns n parts that differ by at most one minor unit and sum exactly
// to m; the first parts take the extra units (100.00 EUR in 3: 33.34, 33.33,
// 33.33). ErrInvalid when n < 1.
func (m Money) Split(n int) ([]Money, error) {
	if n < 1 || int64(n) > 1<<32-1 {
		return nil, errorf(codeInvalid, fmt.Sprintf("cannot split into %d parts", n))
	}
	total, err := m.toC()
	if err != nil {
		return nil, err
	}
	parts := make([]capi.Money, n)
	if err := check(capi.Archase_money_split(&total, parts), "archase_money_split"); err != nil {
		return nil, err
	}
	return moneySlice(parts), nil
}

// Allocate splits m in proportion to weights (each >= 0, not all 0) by the
// largest-remainder method; the parts sum exactly to m.
func (m Money) Allocate(weights []int64) ([]Money, error) {
	if len(weights) < 1 || int64(len(weights)) > 1<<32-1 {
		return nil, errorf(codeInvalid, fmt.Sprintf("cannot allocate by %d weights", len(weights)))
	}
	total, err := m.toC()
	if err != nil {
		return nil, err
	}
	parts := make([]capi.Money, len(weights))
	if err := check(capi.Archase_money_split_weights(&total, weights, parts), "archase_money_split_weights"); err != nil {
		return nil, err
	}
	return moneySlice(parts), nil
}

// ApplyRate returns m × numerator ÷ denominator, rounded half to even,
// exactly. Interest at 8.25% for 30 days of a 365-day year is
// ApplyRate(825*30, 10000*365).
func (m Money) ApplyRate(numerator, denominator int64) (Money, error) {
	c, err := m.toC()
	if err != nil {
		return Money{}, err
	}
	var out capi.Money
	if err := check(capi.Archase_money_apply_rate(&c, numerator, denominator, &out), "archase_money_apply_rate"); err != nil {
		return Money{}, err
	}
	return moneyFromC(&out), nil
}

func moneySlice(parts []capi.Money) []Money {
	out := make([]Money, len(parts))
	for i := range parts {
		out[i] = moneyFromC(&parts[i])
	}
	return out
}

// cString is the text of a NUL-terminated buffer.
func cString(buf []byte) string {
	if i := bytes.IndexByte(buf, 0); i >= 0 {
		buf = buf[:i]
	}
	return string(buf)
}
