package archase

import (
	"errors"
	"fmt"
	"testing"

	"archase/internal/capi"
)

var everySentinel = map[string]*Error{
	"ARCHASE_EINVAL": ErrInvalid, "ARCHASE_ENOMEM": ErrNoMemory, "ARCHASE_ECONFLICT": ErrConflict,
	"ARCHASE_EPOLICY": ErrPolicy, "ARCHASE_ESTORAGE": ErrStorage, "ARCHASE_ENOTFOUND": ErrNotFound,
	"ARCHASE_EUNSUPPORTED": ErrUnsupported, "ARCHASE_ECURRENCY": ErrCurrency,
	"ARCHASE_EOVERFLOW": ErrOverflow, "ARCHASE_EPARSE": ErrParse, "ARCHASE_ESTATE": ErrState,
	"ARCHASE_EDENIED": ErrDenied, "ARCHASE_EVERIFY": ErrVerify, "ARCHASE_EBUSY": ErrBusy,
	"ARCHASE_ETRANSPORT": ErrTransport, "ARCHASE_EVERSION": ErrVersion,
	"ARCHASE_ECALLBACK": ErrCallback, "ARCHASE_EIO": ErrIO, "ARCHASE_ERANGE": ErrRange,
	"ARCHASE_EBUFSIZE": ErrBufferSize, "ARCHASE_EEXPIRED": ErrExpired,
}

func TestEveryCodeOfTheLibraryHasASentinel(t *testing.T) {
	n := 0
	for code := -1; capi.Archase_error_name(code) != "ARCHASE_EUNKNOWN"; code-- {
		name := capi.Archase_error_name(code)
		s, ok := everySentinel[name]
		if !ok {
			t.Fatalf("no sentinel for %s (%d)", name, code)
		}
		if s.Code != code || s.Name != name || s.Message != capi.Archase_strerror(code) {
			t.Errorf("sentinel for %s is %+v", name, *s)
		}
		n++
	}
	if n != len(everySentinel) {
		t.Fatalf("the library has %d codes, the package %d sentinels", n, len(everySentinel))
	}
}

func TestTheFailingCallReturnsAnErrorThatErrorsIsMatches(t *testing.T) {
	_, err := ParseMoney("12,50 EUR")
	if !errors.Is(err, ErrParse) {
		t.Fatalf("err = %v, want ErrParse", err)
	}
	if errors.Is(err, ErrCurrency) {
		t.Fatalf("a parse error is not a currency error")
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err is a %T, want *Error", err)
	}
	if e.Code != -10 || e.Name != "ARCHASE_EPARSE" || e.Func != "archase_money_parse" || e.Message != "malformed input" {
		t.Fatalf("err = %+v", *e)
	}
	if err.Error() != "archase: archase_money_parse: malformed input" {
		t.Fatalf("err.Error() = %q", err.Error())
	}
	wrapped := fmt.Errorf("reading invoice 7: %w", err)
	if !errors.Is(wrapped, ErrParse) {
		t.Fatalf("a wrapped error still matches")
	}
}

// A call on a handle that keeps a message reports that message.
func TestAFailingEngineCallCarriesTheEngineMessage(t *testing.T) {
	var p uintptr
	if err := check(capi.Archase_open_memory(nil, &p), "archase_open_memory"); err != nil {
		t.Fatal(err)
	}
	eng := capi.SwigcptrArchase_engine(p)
	defer capi.Archase_engine_free(eng)
	var b1, b2 uintptr
	if err := check(capi.Archase_batch_begin(eng, nil, "first", &b1), "archase_batch_begin"); err != nil {
		t.Fatal(err)
	}
	defer capi.Archase_batch_free(capi.SwigcptrArchase_batch(b1))
	err := checkMsg(capi.Archase_batch_begin(eng, nil, "second", &b2), "archase_batch_begin",
		func() string { return capi.Archase_engine_errmsg(eng) })
	if !errors.Is(err, ErrState) {
		t.Fatalf("err = %v, want ErrState", err)
	}
	if err.(*Error).Message != "a batch is already open on this engine" {
		t.Fatalf("message = %q", err.(*Error).Message)
	}
}
