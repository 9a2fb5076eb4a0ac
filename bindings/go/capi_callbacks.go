package capi

// A host's storage and transport written in Go: the exported functions the
// C slots of capi_callbacks.c call, each with the cgo.Handle of a
// StorageCallbacks or TransportCallbacks value. The package archase adapts
// its Storage and Transport interfaces to these and recovers panics.

/*
#include <stdint.h>
#include <stdlib.h>
#include "archase/sys/storage.h"
#include "archase/sys/transport.h"
#include "archase/engine.h"
#include "archase/cycle.h"
int archase_go_call_record_fn(archase_record_fn fn, void *ctx, const archase_record *r);
int archase_go_call_audit_fn(archase_audit_fn fn, void *ctx, const archase_audit_entry *e);
int archase_go_open_storage(uintptr_t handle, const char *actor, int64_t now, archase_engine **out);
int archase_go_set_transport(archase_engine *eng, uintptr_t handle, int has_lookup);
*/
import "C"

import (
	"runtime/cgo"
	"unsafe"
)

// Record is one stored record (archase_record).
type Record struct {
	Family     int
	ID         string
	CustomerID string // "" = none
	InvoiceID  string
	Revision   int64
	Status     int32
	Date       int32 // days since 1970-01-01; math.MinInt32 = none
	Date2      int32
	Date3      int32
	Amount     int64
	Amount2    int64
	Currency   string
	Instant    int64
	Data       []byte // nil in scans with ScanNoData
}

// ScanFilter selects records (archase_scan_filter).
type ScanFilter struct {
	Family     int
	CustomerID string // "" = any
	InvoiceID  string
	Status     int32 // 0 = any
	DateFrom   int32 // math.MinInt32 = unbounded
	DateTo     int32
	Flags      uint32
}

// AuditEntry is one entry of the audit log (archase_audit_entry).
type AuditEntry struct {
	Index    uint64
	Kind     uint32
	Actor    string
	Instant  int64
	Data     []byte
	Links    []string
	Nodes    []byte
	LeafHash [32]byte
	PrevHash [32]byte
}

// Message is one message handed to a transport (archase_message).
type Message struct {
	IdempotencyKey, OutboxID                    string
	Attempt                                     uint32
	Kind, Channel                               int
	CustomerID, CustomerName                    string
	InvoiceIDs                                  []string
	ContactID, Address, RecipientName, Template string
	Tone                                        int
	Subject, Body, LinkPlaceholder              string
	ScheduledAt                                 int64
	Timezone                                    string
	LocalDate                                   int32
	LocalSeconds                                int32
	AmountMinor                                 int64
	Currency                                    string
	Reasons                                     []int
	Owner                                       string
}

// StorageCallbacks is what the slots call; every method returns 0 or a
// negative ARCHASE_E* code.
type StorageCallbacks interface {
	Get(family int, id string, each func(Record) int) int
	Put(r Record) int
	Delete(family int, id string) int
	Scan(f ScanFilter, each func(Record) int) int
	AuditAppend(e AuditEntry) int
	AuditRead(from, to uint64, each func(AuditEntry) int) int
	AuditSize(out *uint64) int
	OutboxClaim(now int64, limit uint32, each func(Record) int) int
	OutboxAck(id string, status int, at int64) int
	OutboxInDoubt(id string, at int64) int
	Tx(op int) int // 0 begin, 1 commit, 2 rollback
	SchemaVersion(out *int64) int
	Errmsg() string
	Close()
}

// TransportCallbacks is what the transport slots call.
type TransportCallbacks interface {
	Send(m Message) (result int, detail string, rc int)
	Lookup(key string) (result int, rc int)
	Close()
}

func gostr(p *C.char) string {
	if p == nil {
		return ""
	}
	return C.GoString(p)
}

func recordFromC(r *C.archase_record) Record {
	out := Record{
		Family: int(r.family), ID: gostr(r.id), CustomerID: gostr(r.customer_id),
		InvoiceID: gostr(r.invoice_id), Revision: int64(r.revision), Status: int32(r.status),
		Date: int32(r.date), Date2: int32(r.date2), Date3: int32(r.date3),
		Amount: int64(r.amount), Amount2: int64(r.amount2), Currency: gostr(&r.currency[0]),
		Instant: int64(r.instant),
	}
	if r.data != nil {
		out.Data = C.GoBytes(r.data, C.int(r.size))
	}
	return out
}

// withRecord hands r to fn as an archase_record in C memory.
func withRecord(r Record, fn C.archase_record_fn, ctx unsafe.Pointer) int {
	var allocs []unsafe.Pointer
	cs := func(s string) *C.char {
		if s == "" {
			return nil
		}
		p := C.CString(s)
		allocs = append(allocs, unsafe.Pointer(p))
		return p
	}
	rec := (*C.archase_record)(C.calloc(1, C.sizeof_archase_record))
	defer func() {
		for _, p := range allocs {
			C.free(p)
		}
		C.free(unsafe.Pointer(rec))
	}()
	rec.version = C.ARCHASE_RECORD_VERSION
	rec.family = C.int(r.Family)
	rec.id = cs(r.ID)
	rec.customer_id = cs(r.CustomerID)
	rec.invoice_id = cs(r.InvoiceID)
	rec.revision = C.int64_t(r.Revision)
	rec.status = C.int32_t(r.Status)
	rec.date = C.archase_date(r.Date)
	rec.date2 = C.archase_date(r.Date2)
	rec.date3 = C.archase_date(r.Date3)
	rec.amount = C.int64_t(r.Amount)
	rec.amount2 = C.int64_t(r.Amount2)
	for i := 0; i < len(r.Currency) && i < 3; i++ {
		rec.currency[i] = C.char(r.Currency[i])
	}
	rec.instant = C.archase_instant(r.Instant)
	if r.Data != nil {
		p := C.CBytes(r.Data)
		allocs = append(allocs, p)
		rec.data = p
		rec.size = C.size_t(len(r.Data))
	}
	return int(C.archase_go_call_record_fn(fn, ctx, rec))
}

func entryFromC(e *C.archase_audit_entry) AuditEntry {
	out := AuditEntry{Index: uint64(e.index), Kind: uint32(e.kind), Actor: gostr(e.actor),
		Instant: int64(e.instant)}
	if e.data != nil {
		out.Data = C.GoBytes(e.data, C.int(e.size))
	}
	if e.link_count > 0 {
		links := unsafe.Slice(e.links, int(e.link_count))
		for _, l := range links {
			out.Links = append(out.Links, gostr(l))
		}
	}
	if e.nodes != nil {
		out.Nodes = C.GoBytes(unsafe.Pointer(e.nodes), C.int(e.node_count*32))
	}
	out.LeafHash = *(*[32]byte)(unsafe.Pointer(&e.leaf_hash[0]))
	out.PrevHash = *(*[32]byte)(unsafe.Pointer(&e.prev_hash[0]))
	return out
}

func withEntry(a AuditEntry, fn C.archase_audit_fn, ctx unsafe.Pointer) int {
	var allocs []unsafe.Pointer
	e := (*C.archase_audit_entry)(C.calloc(1, C.sizeof_archase_audit_entry))
	defer func() {
		for _, p := range allocs {
			C.free(p)
		}
		C.free(unsafe.Pointer(e))
	}()
	e.version = C.ARCHASE_AUDIT_ENTRY_VERSION
	e.index = C.uint64_t(a.Index)
	e.kind = C.uint32_t(a.Kind)
	actor := C.CString(a.Actor)
	allocs = append(allocs, unsafe.Pointer(actor))
	e.actor = actor
	e.instant = C.archase_instant(a.Instant)
	if len(a.Data) > 0 {
		p := C.CBytes(a.Data)
		allocs = append(allocs, p)
		e.data = p
		e.size = C.size_t(len(a.Data))
	}
	if len(a.Links) > 0 {
		arr := (**C.char)(C.calloc(C.size_t(len(a.Links)), C.size_t(unsafe.Sizeof(uintptr(0)))))
		allocs = append(allocs, unsafe.Pointer(arr))
		links := unsafe.Slice(arr, len(a.Links))
		for i, l := range a.Links {
			links[i] = C.CString(l)
			allocs = append(allocs, unsafe.Pointer(links[i]))
		}
		e.links = arr
		e.link_count = C.uint32_t(len(a.Links))
	}
	if len(a.Nodes) > 0 {
		p := C.CBytes(a.Nodes)
		allocs = append(allocs, p)
		e.nodes = (*C.uint8_t)(p)
		e.node_count = C.uint32_t(len(a.Nodes) / 32)
	}
	for i := 0; i < 32; i++ {
		e.leaf_hash[i] = C.uint8_t(a.LeafHash[i])
		e.prev_hash[i] = C.uint8_t(a.PrevHash[i])
	}
	return int(C.archase_go_call_audit_fn(fn, ctx, e))
}

func storage(h C.uintptr_t) StorageCallbacks {
	return cgo.Handle(h).Value().(StorageCallbacks)
}

//export goStorageGet
func goStorageGet(h C.uintptr_t, family C.int, id *C.char, fn C.archase_record_fn, ctx unsafe.Pointer) C.int {
	return C.int(storage(h).Get(int(family), gostr(id), func(r Record) int { return withRecord(r, fn, ctx) }))
}

//export goStoragePut
func goStoragePut(h C.uintptr_t, r *C.archase_record) C.int {
	return C.int(storage(h).Put(recordFromC(r)))
}

//export goStorageDelete
func goStorageDelete(h C.uintptr_t, family C.int, id *C.char) C.int {
	return C.int(storage(h).Delete(int(family), gostr(id)))
}

//export goStorageScan
func goStorageScan(h C.uintptr_t, f *C.archase_scan_filter, fn C.archase_record_fn, ctx unsafe.Pointer) C.int {
	flt := ScanFilter{Family: int(f.family), CustomerID: gostr(f.customer_id), InvoiceID: gostr(f.invoice_id),
		Status: int32(f.status), DateFrom: int32(f.date_from), DateTo: int32(f.date_to), Flags: uint32(f.flags)}
	return C.int(storage(h).Scan(flt, func(r Record) int { return withRecord(r, fn, ctx) }))
}

//export goStorageAuditAppend
func goStorageAuditAppend(h C.uintptr_t, e *C.archase_audit_entry) C.int {
	return C.int(storage(h).AuditAppend(entryFromC(e)))
}

//export goStorageAuditRead
func goStorageAuditRead(h C.uintptr_t, from, to C.uint64_t, fn C.archase_audit_fn, ctx unsafe.Pointer) C.int {
	return C.int(storage(h).AuditRead(uint64(from), uint64(to), func(e AuditEntry) int { return withEntry(e, fn, ctx) }))
}

//export goStorageAuditSize
func goStorageAuditSize(h C.uintptr_t, out *C.uint64_t) C.int {
	var n uint64
	rc := storage(h).AuditSize(&n)
	*out = C.uint64_t(n)
	return C.int(rc)
}

//export goStorageOutboxClaim
func goStorageOutboxClaim(h C.uintptr_t, now C.archase_instant, limit C.uint32_t, fn C.archase_record_fn, ctx unsafe.Pointer) C.int {
	return C.int(storage(h).OutboxClaim(int64(now), uint32(limit), func(r Record) int { return withRecord(r, fn, ctx) }))
}

//export goStorageOutboxAck
func goStorageOutboxAck(h C.uintptr_t, id *C.char, status C.int, at C.archase_instant) C.int {
	return C.int(storage(h).OutboxAck(gostr(id), int(status), int64(at)))
}

//export goStorageOutboxInDoubt
func goStorageOutboxInDoubt(h C.uintptr_t, id *C.char, at C.archase_instant) C.int {
	return C.int(storage(h).OutboxInDoubt(gostr(id), int64(at)))
}

//export goStorageTx
func goStorageTx(h C.uintptr_t, op C.int) C.int {
	return C.int(storage(h).Tx(int(op)))
}

//export goStorageSchemaVersion
func goStorageSchemaVersion(h C.uintptr_t, out *C.int64_t) C.int {
	var v int64
	rc := storage(h).SchemaVersion(&v)
	*out = C.int64_t(v)
	return C.int(rc)
}

//export goStorageErrmsg
func goStorageErrmsg(h C.uintptr_t, buf *C.char, size C.size_t) {
	msg := storage(h).Errmsg()
	b := unsafe.Slice((*byte)(unsafe.Pointer(buf)), int(size))
	n := copy(b[:len(b)-1], msg)
	b[n] = 0
}

//export goStorageClose
func goStorageClose(h C.uintptr_t) {
	storage(h).Close()
	cgo.Handle(h).Delete()
}

func transport(h C.uintptr_t) TransportCallbacks {
	return cgo.Handle(h).Value().(TransportCallbacks)
}

//export goTransportSend
func goTransportSend(h C.uintptr_t, m *C.archase_message, result *C.int, detail *C.char, size C.size_t) C.int {
	msg := Message{
		IdempotencyKey: gostr(m.idempotency_key), OutboxID: gostr(m.outbox_id), Attempt: uint32(m.attempt),
		Kind: int(m.kind), Channel: int(m.channel), CustomerID: gostr(m.customer_id),
		CustomerName: gostr(m.customer_name), ContactID: gostr(m.contact_id), Address: gostr(m.address),
		RecipientName: gostr(m.recipient_name), Template: gostr(m.template_name), Tone: int(m.tone),
		Subject: gostr(m.subject), Body: gostr(m.body), LinkPlaceholder: gostr(m.link_placeholder),
		ScheduledAt: int64(m.scheduled_at), Timezone: gostr(m.timezone), LocalDate: int32(m.local_date),
		LocalSeconds: int32(m.local_seconds), AmountMinor: int64(m.amount.minor),
		Currency: gostr(&m.amount.currency[0]), Owner: gostr(m.owner),
	}
	if m.invoice_count > 0 {
		for _, p := range unsafe.Slice(m.invoice_ids, int(m.invoice_count)) {
			msg.InvoiceIDs = append(msg.InvoiceIDs, gostr(p))
		}
	}
	if m.reason_count > 0 {
		for _, r := range unsafe.Slice(m.reasons, int(m.reason_count)) {
			msg.Reasons = append(msg.Reasons, int(r))
		}
	}
	res, text, rc := transport(h).Send(msg)
	if size > 0 {
		b := unsafe.Slice((*byte)(unsafe.Pointer(detail)), int(size))
		n := copy(b[:len(b)-1], text)
		b[n] = 0
	}
	*result = C.int(res)
	return C.int(rc)
}

//export goTransportLookup
func goTransportLookup(h C.uintptr_t, key *C.char, result *C.int) C.int {
	res, rc := transport(h).Lookup(gostr(key))
	*result = C.int(res)
	return C.int(rc)
}

//export goTransportClose
func goTransportClose(h C.uintptr_t) {
	transport(h).Close()
	cgo.Handle(h).Delete()
}

// OpenStorage opens an engine over cb; *out receives the engine.
func OpenStorage(cb StorageCallbacks, actor string, now int64, out *uintptr) int {
	h := cgo.NewHandle(cb)
	ca := C.CString(actor)
	defer C.free(unsafe.Pointer(ca))
	var eng *C.archase_engine
	rc := int(C.archase_go_open_storage(C.uintptr_t(h), ca, C.int64_t(now), &eng))
	if rc != 0 {
		h.Delete()
		return rc
	}
	*out = uintptr(unsafe.Pointer(eng))
	return 0
}

// SetTransport gives the engine (a SwigcptrArchase_engine value) a transport.
func SetTransport(eng uintptr, cb TransportCallbacks, hasLookup bool) int {
	h := cgo.NewHandle(cb)
	lookup := C.int(0)
	if hasLookup {
		lookup = 1
	}
	rc := int(C.archase_go_set_transport((*C.archase_engine)(unsafe.Pointer(eng)), C.uintptr_t(h), lookup))
	if rc != 0 {
		h.Delete()
	}
	return rc
}

// ClearTransport removes (and closes) the engine's transport.
func ClearTransport(eng uintptr) int {
	return int(C.archase_engine_set_transport((*C.archase_engine)(unsafe.Pointer(eng)), nil))
}
