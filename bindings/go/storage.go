package archase

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"sync"

	"archase/internal/capi"
)

// A host's own store and transport, written in Go
// (include/archase/sys/storage.h, include/archase/sys/transport.h).
//
// The engine calls them from its own calls. A method reports a storage
// result by returning an *Error of that code (ErrNotFound, ErrConflict,
// ErrState... or errorf-like values made with NewError). Any other error,
// and any panic, stops the operation cleanly (a batch or cycle transaction
// is rolled back) and is returned by the engine call that was running: a
// panic as a *CallbackPanic (errors.Is(err, ErrCallback) holds), an error
// wrapped so that errors.Is and errors.As see it too. Panics are not
// re-panicked: the engine stays usable.
//
// An engine calls its storage and transport from the goroutine that called
// it, one call at a time; they must not call back into the same engine.

// Record is one stored record: a typed envelope and the engine's bytes.
type Record = capi.Record

// ScanFilter selects records; DateFrom/DateTo of math.MinInt32 are unbounded.
type ScanFilter = capi.ScanFilter

// AuditEntry is one entry of the append-only audit log.
type AuditEntry = capi.AuditEntry

// Message is one message the daily cycle hands to a transport. LocalDate is
// days since 1970-01-01 (see LocalDay); AmountMinor and Currency the open
// amount it is about.
type Message = capi.Message

// ScanNoData in ScanFilter.Flags: envelopes only (Data nil).
const ScanNoData = 1

// Storage is a store for an engine. Every method must be implemented
// (MapStorage is a complete one); transactions are one at a time.
type Storage interface {
	Get(family Family, id string) (Record, bool, error)
	Put(r Record) error
	Delete(family Family, id string) (bool, error)
	// Scan calls fn for every matching record in id order until fn returns false.
	Scan(f ScanFilter, fn func(Record) bool) error
	// AuditAppend appends an entry whose Index equals the size (else ErrConflict).
	AuditAppend(e AuditEntry) error
	AuditRead(from, to uint64, fn func(AuditEntry) bool) error
	AuditSize() (uint64, error)
	// OutboxClaim moves up to limit due outbox records to sending and returns them;
	// OutboxUnclaim undoes a claim the engine could not take.
	OutboxClaim(now int64, limit uint32) ([]Record, error)
	OutboxUnclaim(rs []Record) error
	OutboxAck(id string, status OutboxStatus, at int64) error
	OutboxMarkInDoubt(id string, at int64) error
	Begin() error
	Commit() error
	Rollback() error
	SchemaVersion() (int64, error)
	Close() error
}

// SendResult values a Transport returns (the generated SendResult* constants).

// Transport delivers the cycle's messages. Send returns what happened and a
// detail recorded with the attempt (an SMTP reply, an HTTP status); the
// same IdempotencyKey comes on every attempt for one decision.
type Transport interface {
	Send(m Message) (SendResult, string, error)
	Close() error
}

// Lookuper is a Transport that can tell whether it has a message; items in
// doubt are then reconciled instead of waiting for a person.
type Lookuper interface {
	Lookup(idempotencyKey string) (LookupResult, error)
}

// CallbackPanic is the error an engine call returns when a storage or
// transport method panicked: the panic's value, recovered at the boundary.
type CallbackPanic struct {
	Value any
	Where string // the method that panicked, e.g. "Storage.Put"
}

func (p *CallbackPanic) Error() string {
	return fmt.Sprintf("archase: %s panicked: %v", p.Where, p.Value)
}

// Is makes errors.Is(err, ErrCallback) hold.
func (p *CallbackPanic) Is(target error) bool { return target == ErrCallback }

// CallbackError is the error an engine call returns when a storage or
// transport method failed with an error that is not an *Error.
type CallbackError struct {
	Err   error
	Where string
}

func (e *CallbackError) Error() string { return "archase: " + e.Where + ": " + e.Err.Error() }
func (e *CallbackError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrCallback) hold (errors.Is also sees Err).
func (e *CallbackError) Is(target error) bool { return target == ErrCallback }

// NewError is an *Error of one of the Err* values' codes with a message, for
// a Storage to report a result: NewError(ErrNotFound, "no invoice I9").
func NewError(kind *Error, message string) error {
	return &Error{Code: kind.Code, Name: kind.Name, Message: message}
}

// callbackState keeps what went wrong in a host's method during one call.
type callbackState struct {
	mu     sync.Mutex
	failed error // the first panic or foreign error of the current call
	msg    string
}

func (s *callbackState) begin() {
	s.mu.Lock()
	s.failed = nil
	s.mu.Unlock()
}

// take returns (and clears) the failure of the call.
func (s *callbackState) take() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.failed
	s.failed = nil
	return err
}

// code turns a method's error into a status, keeping a foreign one.
func (s *callbackState) code(where string, err error) int {
	if err == nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msg = err.Error()
	var ae *Error
	if errors.As(err, &ae) && ae.Code < 0 {
		return ae.Code
	}
	if s.failed == nil {
		s.failed = &CallbackError{Err: err, Where: where}
	}
	return codeCallback
}

// guard recovers a panic of a host's method into *rc.
func (s *callbackState) guard(where string, rc *int) {
	if r := recover(); r != nil {
		s.mu.Lock()
		if s.failed == nil {
			s.failed = &CallbackPanic{Value: r, Where: where}
		}
		s.msg = fmt.Sprint(r)
		s.mu.Unlock()
		*rc = codeCallback
	}
}

// ---- the storage adapter ---------------------------------------------------

type storageHost struct {
	callbackState
	s Storage
}

func (h *storageHost) begin() {
	if h != nil {
		h.callbackState.begin()
	}
}

// end returns the failure of a host's method during the call, if any.
func (h *storageHost) end(rc int) error {
	if h == nil {
		return nil
	}
	return h.take()
}

func (h *storageHost) Get(family int, id string, each func(Record) int) (rc int) {
	defer h.guard("Storage.Get", &rc)
	r, ok, err := h.s.Get(Family(family), id)
	if err != nil {
		return h.code("Storage.Get", err)
	}
	if !ok {
		return codeNotFound
	}
	if rc = each(r); rc == 1 {
		rc = 0
	}
	return rc
}

func (h *storageHost) Put(r Record) (rc int) {
	defer h.guard("Storage.Put", &rc)
	return h.code("Storage.Put", h.s.Put(r))
}

func (h *storageHost) Delete(family int, id string) (rc int) {
	defer h.guard("Storage.Delete", &rc)
	ok, err := h.s.Delete(Family(family), id)
	if err != nil {
		return h.code("Storage.Delete", err)
	}
	if !ok {
		return codeNotFound
	}
	return 0
}

func (h *storageHost) Scan(f ScanFilter, each func(Record) int) (rc int) {
	defer h.guard("Storage.Scan", &rc)
	stop := 0
	err := h.s.Scan(f, func(r Record) bool {
		stop = each(r)
		return stop == 0
	})
	if err != nil {
		return h.code("Storage.Scan", err)
	}
	if stop == 1 {
		return 0
	}
	return stop
}

func (h *storageHost) AuditAppend(e AuditEntry) (rc int) {
	defer h.guard("Storage.AuditAppend", &rc)
	return h.code("Storage.AuditAppend", h.s.AuditAppend(e))
}

func (h *storageHost) AuditRead(from, to uint64, each func(AuditEntry) int) (rc int) {
	defer h.guard("Storage.AuditRead", &rc)
	stop := 0
	err := h.s.AuditRead(from, to, func(e AuditEntry) bool {
		stop = each(e)
		return stop == 0
	})
	if err != nil {
		return h.code("Storage.AuditRead", err)
	}
	if stop == 1 {
		return 0
	}
	return stop
}

func (h *storageHost) AuditSize(out *uint64) (rc int) {
	defer h.guard("Storage.AuditSize", &rc)
	n, err := h.s.AuditSize()
	*out = n
	return h.code("Storage.AuditSize", err)
}

func (h *storageHost) OutboxClaim(now int64, limit uint32, each func(Record) int) (rc int) {
	defer h.guard("Storage.OutboxClaim", &rc)
	rs, err := h.s.OutboxClaim(now, limit)
	if err != nil {
		return h.code("Storage.OutboxClaim", err)
	}
	for _, r := range rs {
		if rc = each(r); rc != 0 {
			break
		}
	}
	if rc != 0 && rc != 1 {
		h.s.OutboxUnclaim(rs)
		return rc
	}
	return 0
}

func (h *storageHost) OutboxAck(id string, status int, at int64) (rc int) {
	defer h.guard("Storage.OutboxAck", &rc)
	return h.code("Storage.OutboxAck", h.s.OutboxAck(id, OutboxStatus(status), at))
}

func (h *storageHost) OutboxInDoubt(id string, at int64) (rc int) {
	defer h.guard("Storage.OutboxMarkInDoubt", &rc)
	return h.code("Storage.OutboxMarkInDoubt", h.s.OutboxMarkInDoubt(id, at))
}

func (h *storageHost) Tx(op int) (rc int) {
	names := [...]string{"Storage.Begin", "Storage.Commit", "Storage.Rollback"}
	defer h.guard(names[op], &rc)
	switch op {
	case 0:
		return h.code(names[op], h.s.Begin())
	case 1:
		return h.code(names[op], h.s.Commit())
	}
	return h.code(names[op], h.s.Rollback())
}

func (h *storageHost) SchemaVersion(out *int64) (rc int) {
	defer h.guard("Storage.SchemaVersion", &rc)
	v, err := h.s.SchemaVersion()
	*out = v
	return h.code("Storage.SchemaVersion", err)
}

func (h *storageHost) Errmsg() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.msg
}

func (h *storageHost) Close() {
	defer func() { recover() }() // a panic in Close has no call to return to
	h.s.Close()
}

func openStorage(st Storage, actor string, now int64) (capi.Archase_engine, *storageHost, error) {
	host := &storageHost{s: st}
	var out uintptr
	host.begin()
	rc := capi.OpenStorage(host, actor, now, &out)
	if err := host.take(); err != nil {
		return nil, nil, err
	}
	if err := check(rc, "archase_engine_open"); err != nil {
		return nil, nil, err
	}
	return capi.SwigcptrArchase_engine(out), host, nil
}

// ---- the transport adapter -------------------------------------------------

type transportHost struct {
	callbackState
	t       Transport
	stopped bool // a Send failed in this call: hand the rest back for later
}

func (h *transportHost) Send(m Message) (result int, detail string, rc int) {
	defer h.guard("Transport.Send", &rc)
	h.mu.Lock()
	stopped := h.failed != nil
	h.mu.Unlock()
	if stopped {
		return int(SendResultRetry), "not attempted: the transport failed earlier in this call", 0
	}
	res, detail, err := h.t.Send(m)
	if err != nil {
		return 0, err.Error(), h.code("Transport.Send", err)
	}
	if res < SendResultSent || res > SendResultUnknown {
		return 0, "", h.code("Transport.Send", fmt.Errorf("Send returned %d: return a SendResult", int(res)))
	}
	return int(res), detail, 0
}

func (h *transportHost) Lookup(key string) (result int, rc int) {
	defer h.guard("Transport.Lookup", &rc)
	res, err := h.t.(Lookuper).Lookup(key)
	if err != nil {
		return 0, h.code("Transport.Lookup", err)
	}
	return int(res), 0
}

func (h *transportHost) Close() {
	defer func() { recover() }()
	h.t.Close()
}

// SetTransport gives the engine the transport the daily cycle and Dispatch
// deliver through; nil removes (and closes) the current one.
func (e *Engine) SetTransport(t Transport) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.h == nil {
		return errClosed
	}
	ptr := e.h.Swigcptr()
	if t == nil {
		e.transport = nil
		return check(capi.ClearTransport(ptr), "archase_engine_set_transport")
	}
	host := &transportHost{t: t}
	_, lookup := t.(Lookuper)
	if err := check(capi.SetTransport(ptr, host, lookup), "archase_engine_set_transport"); err != nil {
		return err
	}
	e.transport = host
	return nil
}

// ---- MapStorage -----------------------------------------------------------

type recKey struct {
	family int
	id     string
}

// MapStorage is a complete Storage on Go maps: records by family and id,
// the audit log as a slice, a transaction as a copy taken at Begin.
type MapStorage struct {
	Records map[recKey]Record
	Log     []AuditEntry
	saved   map[recKey]Record
	savedN  int
	inTx    bool
	Closed  bool
}

// NewMapStorage makes an empty MapStorage.
func NewMapStorage() *MapStorage { return &MapStorage{Records: map[recKey]Record{}} }

func (m *MapStorage) Get(family Family, id string) (Record, bool, error) {
	r, ok := m.Records[recKey{int(family), id}]
	return r, ok, nil
}

func (m *MapStorage) Put(r Record) error {
	m.Records[recKey{r.Family, r.ID}] = r
	return nil
}

func (m *MapStorage) Delete(family Family, id string) (bool, error) {
	k := recKey{int(family), id}
	_, ok := m.Records[k]
	delete(m.Records, k)
	return ok, nil
}

// Len is the number of records of a family.
func (m *MapStorage) Len(family Family) int {
	n := 0
	for k := range m.Records {
		if k.family == int(family) {
			n++
		}
	}
	return n
}

func matches(f ScanFilter, r Record) bool {
	const none = dateNone
	if r.Family != f.Family || (f.CustomerID != "" && r.CustomerID != f.CustomerID) ||
		(f.InvoiceID != "" && r.InvoiceID != f.InvoiceID) || (f.Status != 0 && r.Status != f.Status) {
		return false
	}
	if (f.DateFrom != none || f.DateTo != none) && r.Date == none {
		return false
	}
	return (f.DateFrom == none || r.Date >= f.DateFrom) && (f.DateTo == none || r.Date <= f.DateTo)
}

func (m *MapStorage) Scan(f ScanFilter, fn func(Record) bool) error {
	var hits []Record
	for _, r := range m.Records {
		if matches(f, r) {
			hits = append(hits, r)
		}
	}
	sort.Slice(hits, func(i, j int) bool { return hits[i].ID < hits[j].ID })
	for _, r := range hits {
		if f.Flags&ScanNoData != 0 {
			r.Data = nil
		}
		if !fn(r) {
			break
		}
	}
	return nil
}

func (m *MapStorage) AuditAppend(e AuditEntry) error {
	if e.Index != uint64(len(m.Log)) {
		return NewError(ErrConflict, fmt.Sprintf("audit index %d, size %d", e.Index, len(m.Log)))
	}
	m.Log = append(m.Log, e)
	return nil
}

func (m *MapStorage) AuditRead(from, to uint64, fn func(AuditEntry) bool) error {
	for i := from; i < to && i < uint64(len(m.Log)); i++ {
		if !fn(m.Log[i]) {
			break
		}
	}
	return nil
}

func (m *MapStorage) AuditSize() (uint64, error) { return uint64(len(m.Log)), nil }

func (m *MapStorage) OutboxClaim(now int64, limit uint32) ([]Record, error) {
	var due []Record
	for k, r := range m.Records {
		if k.family == int(FamilyOutbox) && (r.Status == int32(OutboxStatusPending) || r.Status == int32(OutboxStatusFailedRetry)) && r.Instant <= now {
			due = append(due, r)
		}
	}
	sort.Slice(due, func(i, j int) bool {
		if due[i].Instant != due[j].Instant {
			return due[i].Instant < due[j].Instant
		}
		return bytes.Compare([]byte(due[i].ID), []byte(due[j].ID)) < 0
	})
	if uint32(len(due)) > limit {
		due = due[:limit]
	}
	for i := range due {
		due[i].Status = int32(OutboxStatusSending)
		m.Records[recKey{due[i].Family, due[i].ID}] = due[i]
	}
	return due, nil
}

func (m *MapStorage) OutboxUnclaim(rs []Record) error {
	for _, r := range rs {
		r.Status = int32(OutboxStatusPending)
		m.Records[recKey{r.Family, r.ID}] = r
	}
	return nil
}

func (m *MapStorage) sending(id string) (Record, error) {
	r, ok := m.Records[recKey{int(FamilyOutbox), id}]
	if !ok {
		return r, NewError(ErrNotFound, "no outbox item "+id)
	}
	if r.Status != int32(OutboxStatusSending) {
		return r, NewError(ErrState, "outbox item "+id+" is not sending")
	}
	return r, nil
}

func (m *MapStorage) OutboxAck(id string, status OutboxStatus, at int64) error {
	r, err := m.sending(id)
	if err != nil {
		return err
	}
	switch status {
	case OutboxStatusSent, OutboxStatusFailedRetry, OutboxStatusDead, OutboxStatusCancelled:
	default:
		return NewError(ErrState, fmt.Sprintf("cannot acknowledge with status %d", int(status)))
	}
	r.Status, r.Instant = int32(status), at
	m.Records[recKey{r.Family, id}] = r
	return nil
}

func (m *MapStorage) OutboxMarkInDoubt(id string, at int64) error {
	r, err := m.sending(id)
	if err != nil {
		return err
	}
	r.Status, r.Instant = int32(OutboxStatusInDoubt), at
	m.Records[recKey{r.Family, id}] = r
	return nil
}

func (m *MapStorage) Begin() error {
	if m.inTx {
		return NewError(ErrState, "a transaction is open")
	}
	m.saved = make(map[recKey]Record, len(m.Records))
	for k, v := range m.Records {
		m.saved[k] = v
	}
	m.savedN, m.inTx = len(m.Log), true
	return nil
}

func (m *MapStorage) Commit() error {
	if !m.inTx {
		return NewError(ErrState, "no transaction")
	}
	m.saved, m.inTx = nil, false
	return nil
}

func (m *MapStorage) Rollback() error {
	if !m.inTx {
		return NewError(ErrState, "no transaction")
	}
	m.Records, m.Log, m.saved, m.inTx = m.saved, m.Log[:m.savedN], nil, false
	return nil
}

func (m *MapStorage) SchemaVersion() (int64, error) { return 1, nil }

func (m *MapStorage) Close() error {
	m.Closed = true
	return nil
}
