package archase

import "archase/internal/capi"

// Error is a failure reported by the library: a negative ARCHASE_E* code, its
// name and a message (the handle's own message when the call had one).
//
// Compare with errors.Is against the Err* values, which match any *Error of
// the same code:
//
//	if errors.Is(err, archase.ErrCurrency) { ... }
type Error struct {
	Code    int    // the ARCHASE_E* code, negative; pinned forever
	Name    string // its symbolic name, e.g. "ARCHASE_ECURRENCY"
	Message string // what went wrong
	Func    string // the C function that failed; "" for the Err* values
}

func (e *Error) Error() string {
	if e.Func != "" {
		return "archase: " + e.Func + ": " + e.Message
	}
	return "archase: " + e.Message
}

// Is reports whether target is an *Error with the same code, so that
// errors.Is(err, archase.ErrConflict) holds for every conflict.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// The codes of include/archase/errors.h, pinned forever.
const (
	codeInvalid     = -1
	codeNoMemory    = -2
	codeConflict    = -3
	codePolicy      = -4
	codeStorage     = -5
	codeNotFound    = -6
	codeUnsupported = -7
	codeCurrency    = -8
	codeOverflow    = -9
	codeParse       = -10
	codeState       = -11
	codeDenied      = -12
	codeVerify      = -13
	codeBusy        = -14
	codeTransport   = -15
	codeVersion     = -16
	codeCallback    = -17
	codeIO          = -18
	codeRange       = -19
	codeBufferSize  = -20
	codeExpired     = -21
)

// One value per error code, for errors.Is.
var (
	ErrInvalid     = sentinel(codeInvalid)     // an argument the call does not accept
	ErrNoMemory    = sentinel(codeNoMemory)    // the library could not allocate memory
	ErrConflict    = sentinel(codeConflict)    // same id, different content, same revision
	ErrPolicy      = sentinel(codePolicy)      // the policy is invalid
	ErrStorage     = sentinel(codeStorage)     // the storage backend failed
	ErrNotFound    = sentinel(codeNotFound)    // no such record, file or name
	ErrUnsupported = sentinel(codeUnsupported) // not supported by this backend or build
	ErrCurrency    = sentinel(codeCurrency)    // unknown currency, or currencies differ
	ErrOverflow    = sentinel(codeOverflow)    // past 64-bit minor units; never wraps
	ErrParse       = sentinel(codeParse)       // malformed text
	ErrState       = sentinel(codeState)       // not allowed in the current state
	ErrDenied      = sentinel(codeDenied)      // not permitted for this actor
	ErrVerify      = sentinel(codeVerify)      // verification failed
	ErrBusy        = sentinel(codeBusy)        // the resource is busy
	ErrTransport   = sentinel(codeTransport)   // the message transport failed
	ErrVersion     = sentinel(codeVersion)     // unsupported version
	ErrCallback    = sentinel(codeCallback)    // a host callback failed
	ErrIO          = sentinel(codeIO)          // input/output error
	ErrRange       = sentinel(codeRange)       // a value out of range
	ErrBufferSize  = sentinel(codeBufferSize)  // a buffer too small
	ErrExpired     = sentinel(codeExpired)     // expired
)

func sentinel(code int) *Error {
	return &Error{Code: code, Name: capi.Archase_error_name(code), Message: capi.Archase_strerror(code)}
}

// check turns the status a C function returned into an error: nil for 0,
// else an *Error with the code's description as its message.
func check(rc int, fn string) error {
	if rc == 0 {
		return nil
	}
	return &Error{Code: rc, Name: capi.Archase_error_name(rc), Message: capi.Archase_strerror(rc), Func: fn}
}

// checkMsg is check for calls on a handle that keeps a message of its last
// failure: errmsg is called only when the call failed.
func checkMsg(rc int, fn string, errmsg func() string) error {
	err := check(rc, fn)
	if err != nil {
		if msg := errmsg(); msg != "" {
			err.(*Error).Message = msg
		}
	}
	return err
}

// errorf is an *Error raised by the Go layer itself, with the code's meaning.
func errorf(code int, message string) error {
	return &Error{Code: code, Name: capi.Archase_error_name(code), Message: message}
}
