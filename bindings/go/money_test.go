package archase

import (
	"errors"
	"math"
	"testing"
	"unsafe"

	"archase/internal/capi"
)

func eur(t *testing.T, amount string) Money {
	t.Helper()
	m, err := ParseAmount(amount, "EUR")
	if err != nil {
		t.Fatalf("ParseAmount(%q): %v", amount, err)
	}
	return m
}

func TestMoneyHasTheLayoutOfTheC(t *testing.T) {
	if unsafe.Sizeof(capi.Money{}) != 16 || unsafe.Offsetof(capi.Money{}.Currency) != 8 {
		t.Fatalf("capi.Money is not archase_money")
	}
}

func TestParseAndStringRoundTrip(t *testing.T) {
	for _, text := range []string{"1234.56 EUR", "-0.500 KWD", "100 JPY", "0.0001 CLF", "10.00 EUR"} {
		m, err := ParseMoney(text)
		if err != nil {
			t.Fatalf("ParseMoney(%q): %v", text, err)
		}
		if m.String() != text {
			t.Errorf("String() = %q, want %q", m.String(), text)
		}
	}
	m := MustParseMoney("1234.56 EUR")
	if m != (Money{Minor: 123456, Currency: "EUR"}) {
		t.Fatalf("m = %#v", m)
	}
	if a, _ := m.Amount(); a != "1234.56" {
		t.Fatalf("Amount() = %q", a)
	}
}

func TestParseIsStrict(t *testing.T) {
	for _, text := range []string{"12,50 EUR", "1.234 EUR", "1 eur", "1. EUR", ".5 EUR", "+1 EUR",
		" 1 EUR", "1  EUR", "1e3 EUR", ""} {
		if _, err := ParseMoney(text); !errors.Is(err, ErrParse) && !errors.Is(err, ErrCurrency) {
			t.Errorf("ParseMoney(%q) = %v, want ErrParse or ErrCurrency", text, err)
		}
	}
	if _, err := ParseMoney("1.00 ABC"); !errors.Is(err, ErrCurrency) {
		t.Errorf("unknown code: %v", err)
	}
	if _, err := ParseMoney("92233720368547758.08 EUR"); !errors.Is(err, ErrOverflow) {
		t.Errorf("overflow: %v", err)
	}
}

func TestAddAndSubAreExact(t *testing.T) {
	sum, err := eur(t, "0.10").Add(eur(t, "0.20"))
	if err != nil || sum != eur(t, "0.30") {
		t.Fatalf("0.10 + 0.20 = %v, %v", sum, err)
	}
	diff, err := eur(t, "1.00").Sub(eur(t, "2.50"))
	if err != nil || diff.String() != "-1.50 EUR" {
		t.Fatalf("1.00 - 2.50 = %v, %v", diff, err)
	}
}

func TestDifferentCurrenciesDoNotMix(t *testing.T) {
	usd := MustParseMoney("1.00 USD")
	if _, err := eur(t, "1.00").Add(usd); !errors.Is(err, ErrCurrency) {
		t.Errorf("Add: %v", err)
	}
	if _, err := eur(t, "1.00").Sub(usd); !errors.Is(err, ErrCurrency) {
		t.Errorf("Sub: %v", err)
	}
	if _, err := eur(t, "1.00").Cmp(usd); !errors.Is(err, ErrCurrency) {
		t.Errorf("Cmp: %v", err)
	}
	if _, err := (Money{Minor: 1, Currency: "EURO"}).Add(eur(t, "1.00")); !errors.Is(err, ErrCurrency) {
		t.Errorf("a 4-letter code: %v", err)
	}
}

func TestOverflowIsAnErrorNotAWrap(t *testing.T) {
	biggest := Money{Minor: math.MaxInt64, Currency: "EUR"}
	if _, err := biggest.Add(eur(t, "0.01")); !errors.Is(err, ErrOverflow) {
		t.Fatalf("MaxInt64 + 1: %v", err)
	}
	smallest := Money{Minor: math.MinInt64, Currency: "EUR"}
	if _, err := smallest.Sub(eur(t, "0.01")); !errors.Is(err, ErrOverflow) {
		t.Fatalf("MinInt64 - 1: %v", err)
	}
}

func TestCmpOrders(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{{"1.00", "2.00", -1}, {"2.00", "2.00", 0}, {"-3.00", "-4.00", 1}} {
		got, err := eur(t, c.a).Cmp(eur(t, c.b))
		if err != nil || got != c.want {
			t.Errorf("Cmp(%s, %s) = %d, %v", c.a, c.b, got, err)
		}
	}
}

func TestSplitNeverLosesAMinorUnit(t *testing.T) {
	parts, err := eur(t, "100.00").Split(3)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"33.34 EUR", "33.33 EUR", "33.33 EUR"}
	for i := range want {
		if parts[i].String() != want[i] {
			t.Fatalf("parts = %v", parts)
		}
	}
	for _, n := range []int{1, 2, 7, 97, 1000} {
		parts, err := eur(t, "1234.57").Split(n)
		if err != nil || len(parts) != n {
			t.Fatalf("Split(%d): %d parts, %v", n, len(parts), err)
		}
		total := eur(t, "0")
		for _, p := range parts {
			total, _ = total.Add(p)
		}
		if total != eur(t, "1234.57") {
			t.Fatalf("Split(%d) sums to %v", n, total)
		}
	}
	if _, err := eur(t, "1.00").Split(0); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Split(0): %v", err)
	}
}

func TestAllocateAndApplyRate(t *testing.T) {
	parts, err := eur(t, "10.00").Allocate([]int64{3, 1})
	if err != nil || parts[0].String() != "7.50 EUR" || parts[1].String() != "2.50 EUR" {
		t.Fatalf("Allocate: %v, %v", parts, err)
	}
	if _, err := eur(t, "10.00").Allocate([]int64{0, 0}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("all weights 0: %v", err)
	}
	interest, err := eur(t, "10000.00").ApplyRate(825*30, 10000*365)
	if err != nil || interest.String() != "67.81 EUR" {
		t.Fatalf("ApplyRate: %v, %v", interest, err)
	}
}

func TestCurrencies(t *testing.T) {
	c, err := LookupCurrency("KWD")
	if err != nil || c != (Currency{Code: "KWD", Numeric: 414, MinorUnits: 3, Name: "Kuwaiti Dinar"}) {
		t.Fatalf("LookupCurrency(KWD) = %+v, %v", c, err)
	}
	if _, err := LookupCurrency("eur"); !errors.Is(err, ErrCurrency) {
		t.Fatalf("lower case: %v", err)
	}
	all := Currencies()
	if len(all) < 150 {
		t.Fatalf("%d currencies", len(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i-1].Code >= all[i].Code {
			t.Fatalf("not in code order at %d", i)
		}
	}
}

func TestStringOfSomethingThatIsNotMoney(t *testing.T) {
	if s := (Money{Minor: 1234, Currency: "ABC"}).String(); s != "1234 minor units of ABC" {
		t.Fatalf("String() = %q", s)
	}
}
