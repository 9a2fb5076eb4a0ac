package archase

import (
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"archase/internal/capi"
)

// Records with many entries (facts, decisions, worklists, KPIs...) cross
// from the library as one JSON document per call (bindings/bind.h); dates
// in it are RFC 3339 midnights so time.Time reads them.
func init() { capi.Archase_bind_set_date_style(1) }

// Options open an engine. The zero value is an in-memory ledger with the
// system clock, acting as "system".
type Options struct {
	Actor    string    // who the audit log names; "" = "system"
	Now      time.Time // a fixed clock; the zero time = the system clock
	ReadOnly bool      // SQLite: open for reading only (the file must exist)
	Policy   *Policy   // the default policy of Evaluate, Worklist, approvals
	Storage  Storage   // a host's own store instead of SQLite or memory
}

// Engine is one ledger with its store, clock and actor. Its methods may be
// called from one goroutine at a time; Close releases it.
type Engine struct {
	mu        sync.Mutex
	h         capi.Archase_engine
	policy    *Policy
	storage   *storageHost   // a host's storage, kept alive with the engine
	transport *transportHost // a host's transport, ditto
}

// Open opens an engine over SQLite at path (created when missing), or in
// memory when path is "". opts may be nil.
func Open(path string, opts *Options) (*Engine, error) {
	if opts == nil {
		opts = &Options{}
	}
	now := int64(0)
	if !opts.Now.IsZero() {
		now = opts.Now.Unix()
		if now == 0 {
			now = 1 // 0 means "the system clock"
		}
	}
	e := &Engine{policy: opts.Policy}
	if opts.Storage != nil {
		h, host, err := openStorage(opts.Storage, opts.Actor, now)
		if err != nil {
			return nil, err
		}
		e.h, e.storage = h, host
	} else {
		var out uintptr
		errbuf := make([]byte, 1024)
		readOnly := 0
		if opts.ReadOnly {
			readOnly = 1
		}
		rc := capi.Archase_bind_open(path, opts.Actor, now, readOnly, &out, errbuf)
		if err := check(rc, "archase_bind_open"); err != nil {
			if msg := cString(errbuf); msg != "" {
				err.(*Error).Message = msg
			}
			return nil, err
		}
		e.h = capi.SwigcptrArchase_engine(out)
	}
	runtime.SetFinalizer(e, func(e *Engine) { e.Close() })
	return e, nil
}

// Close closes the engine and its store. Calling it again does nothing.
func (e *Engine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.h != nil {
		capi.Archase_engine_free(e.h) // closes a host's storage and transport
		e.h = nil
		e.storage = nil
		e.transport = nil
	}
	return nil
}

var errClosed = errorf(codeInvalid, "the engine is closed")

// call runs fn with the engine's handle held; the error it returns carries
// the engine's message, and a panic or error of a host callback during the
// call comes back instead of the library's code (see Storage).
func (e *Engine) call(name string, fn func(h capi.Archase_engine) int) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.h == nil {
		return errClosed
	}
	e.storage.begin()
	if e.transport != nil {
		e.transport.begin()
	}
	rc := fn(e.h)
	if err := e.storage.end(rc); err != nil {
		return err
	}
	if e.transport != nil {
		if err := e.transport.take(); err != nil {
			return err
		}
	}
	err := checkMsg(rc, name, func() string { return capi.Archase_engine_errmsg(e.h) })
	runtime.KeepAlive(e)
	return err
}

// Actor is who the engine records as acting.
func (e *Engine) Actor() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.h == nil {
		return ""
	}
	return capi.Archase_engine_actor(e.h)
}

// SchemaVersion is the version of the store's layout.
func (e *Engine) SchemaVersion() (int64, error) {
	var v int64
	err := e.call("archase_engine_schema_version", func(h capi.Archase_engine) int {
		return capi.Archase_engine_schema_version(h, &v)
	})
	return v, err
}

// text reads and frees a text result.
func text(out uintptr) string {
	t := capi.SwigcptrArchase_bind_text(out)
	s := capi.Archase_bind_text_data(t)
	capi.Archase_bind_text_free(t)
	return s
}

// jsonCall runs a call that makes a text and decodes it into v (a *string
// takes the text as it is).
func (e *Engine) jsonCall(name string, v any, fn func(h capi.Archase_engine, out *uintptr) int) error {
	var out uintptr
	if err := e.call(name, func(h capi.Archase_engine) int { return fn(h, &out) }); err != nil {
		return err
	}
	return decode(text(out), v)
}

func decode(s string, v any) error {
	if p, ok := v.(*string); ok {
		*p = s
		return nil
	}
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return fmt.Errorf("archase: decoding the library's result: %w", err)
	}
	return nil
}

func dateArg(t time.Time) (int32, error) {
	if t.IsZero() {
		return dateNone, nil
	}
	return dateToC(t)
}

func (e *Engine) policyOr(p *Policy) (*Policy, error) {
	if p != nil {
		return p, nil
	}
	if e.policy != nil {
		return e.policy, nil
	}
	return nil, errorf(codeInvalid, "no policy: give one in Options.Policy or to this call")
}

// ---- policies ---------------------------------------------------------------

// Policy is a loaded collection policy, immutable; engines may share it.
type Policy struct {
	h    capi.Archase_policy
	info *PolicyInfo
}

// PolicyInfo is what a policy says, read back.
type PolicyInfo struct {
	Name             string            `json:"name"`
	Version          int               `json:"version"`
	DefaultCurrency  string            `json:"default_currency"`
	DefaultLocale    string            `json:"default_locale"`
	Hash             string            `json:"hash"`
	Segments         []map[string]any  `json:"segments"`
	Sequences        []map[string]any  `json:"sequences"`
	Approvals        []map[string]any  `json:"approvals"`
	Materiality      []Money           `json:"materiality"`
	SensitiveActions []Action          `json:"sensitive_actions"`
	Templates        []map[string]any  `json:"templates"`
	Calendars        []map[string]any  `json:"calendars"`
	Settings         map[string]string `json:"settings"`
}

// PolicyError is the error of a loader (an invalid policy or mapping) or of
// a refused import: every problem with its place. errors.Is(err, ErrPolicy)
// (or the code of the failure) holds for it, and errors.As finds the *Error.
type PolicyError struct {
	Err         *Error
	Diagnostics []Diagnostic
}

func (e *PolicyError) Error() string { return e.Err.Error() }

// Unwrap gives the *Error, so errors.Is and errors.As see the code.
func (e *PolicyError) Unwrap() error { return e.Err }

// Diagnostic is one problem a loader or an import found.
type Diagnostic struct {
	Code    int    `json:"code"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Source  string `json:"source"`
	Message string `json:"message"`
}

func (d Diagnostic) String() string {
	return fmt.Sprintf("%s:%d:%d: %s", d.Source, d.Line, d.Column, d.Message)
}

func newDiags() (capi.Archase_diag_list, error) {
	var out uintptr
	if err := check(capi.Archase_diag_list_new(0, &out), "archase_diag_list_new"); err != nil {
		return nil, err
	}
	return capi.SwigcptrArchase_diag_list(out), nil
}

func readDiags(l capi.Archase_diag_list) []Diagnostic {
	var out uintptr
	if capi.Archase_bind_diags_json(l, &out) != 0 {
		return nil
	}
	var ds []Diagnostic
	_ = decode(text(out), &ds)
	return ds
}

// withDiags turns a failed loader's status into an error carrying its
// diagnostics; the first is the message.
func withDiags(rc int, fn string, l capi.Archase_diag_list) error {
	err := check(rc, fn)
	if err == nil {
		return nil
	}
	ds := readDiags(l)
	if len(ds) > 0 {
		err.(*Error).Message = ds[0].String()
	}
	return &PolicyError{Err: err.(*Error), Diagnostics: ds}
}

// LoadPolicy loads a policy file (YAML). An invalid one is a *PolicyError.
func LoadPolicy(path string) (*Policy, error) {
	l, err := newDiags()
	if err != nil {
		return nil, err
	}
	defer capi.Archase_diag_list_free(l)
	var out uintptr
	if err := withDiags(capi.Archase_policy_load_file(path, nil, &out, l), "archase_policy_load_file", l); err != nil {
		return nil, err
	}
	return newPolicy(out), nil
}

// ParsePolicy loads a policy from its text; source names it in errors.
func ParsePolicy(data []byte, source string) (*Policy, error) {
	l, err := newDiags()
	if err != nil {
		return nil, err
	}
	defer capi.Archase_diag_list_free(l)
	var out uintptr
	rc := capi.Archase_policy_load_buffer(data, source, nil, &out, l)
	if err := withDiags(rc, "archase_policy_load_buffer", l); err != nil {
		return nil, err
	}
	return newPolicy(out), nil
}

func newPolicy(out uintptr) *Policy {
	p := &Policy{h: capi.SwigcptrArchase_policy(out)}
	runtime.SetFinalizer(p, func(p *Policy) { p.Close() })
	return p
}

// Close releases the policy (a finalizer does it for a dropped one). Close
// it only after the engines and evaluations that use it.
func (p *Policy) Close() {
	if p.h != nil {
		capi.Archase_policy_free(p.h)
		p.h = nil
	}
}

// Info is what the policy says: segments, sequences and steps, approvals,
// templates, calendars and every setting by its path.
func (p *Policy) Info() (*PolicyInfo, error) {
	if p.info != nil {
		return p.info, nil
	}
	var out uintptr
	if err := check(capi.Archase_bind_policy_json(p.h, &out), "archase_bind_policy_json"); err != nil {
		return nil, err
	}
	var info PolicyInfo
	if err := decode(text(out), &info); err != nil {
		return nil, err
	}
	runtime.KeepAlive(p)
	p.info = &info
	return p.info, nil
}

// Hash is the policy's identity: SHA-256 of its canonical form.
func (p *Policy) Hash() [32]byte {
	var h [32]byte
	capi.Archase_policy_hash(p.h, h[:])
	runtime.KeepAlive(p)
	return h
}

// Name is the policy's name ("" when it has none).
func (p *Policy) Name() string {
	defer runtime.KeepAlive(p)
	return capi.Archase_policy_name(p.h)
}

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }
