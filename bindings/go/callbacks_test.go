package archase

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func standardPolicy(t *testing.T) *Policy {
	t.Helper()
	root := os.Getenv("ARCHASE_SOURCE_ROOT")
	if root == "" {
		t.Fatal("ARCHASE_SOURCE_ROOT is not set (meson test sets it)")
	}
	p, err := LoadPolicy(filepath.Join(root, "tests", "scenarios", "policies", "standard.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func cycleLedger(t *testing.T, st Storage) *Engine {
	t.Helper()
	e, err := Open("", &Options{Storage: st, Policy: standardPolicy(t), Actor: "cycle-test",
		Now: time.Date(2026, 3, 9, 12, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	for _, f := range []Fact{
		&Customer{ID: "ACME", Name: "ACME GmbH", Collector: "anna", Owner: "olaf", Timezone: "Europe/Berlin"},
		&Contact{ID: "ACME-AP", CustomerID: "ACME", Channel: ChannelEmail, Address: "ap@acme.example", Consent: true, Primary: true},
		&Invoice{ID: "INV-1", CustomerID: "ACME", IssueDate: ymd(2026, 2, 1), DueDate: ymd(2026, 3, 2), Amount: euro("1200.00")},
	} {
		if _, err := e.Put(f); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func TestAnEngineOverGoStorage(t *testing.T) {
	st := NewMapStorage()
	e := cycleLedger(t, st)
	if st.Len(FamilyInvoice) != 1 || st.Len(FamilyCustomer) != 1 {
		t.Fatalf("records %v", st.Records)
	}
	if out, _ := e.Put(&Customer{ID: "ACME", Name: "ACME GmbH", Collector: "anna", Owner: "olaf", Timezone: "Europe/Berlin"}); out != OutcomeDuplicate {
		t.Fatal(out)
	}
	if _, err := e.Get(FamilyInvoice, "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
	ev, err := e.Evaluate(ymd(2026, 3, 9), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := ev.Result(); err != nil || res.Coverage.OverdueInvoices != 1 {
		t.Fatal(res, err)
	}
	ev.Close()
	rep, err := e.AuditVerify()
	if err != nil || !rep.Verified || rep.Size != uint64(len(st.Log)) {
		t.Fatal(rep, err)
	}
	e.Close()
	if !st.Closed {
		t.Fatal("the storage was not closed with the engine")
	}
}

// failing is a MapStorage whose Put fails for invoices while armed.
type failing struct {
	*MapStorage
	armed   bool
	panicky bool
}

var errVendor = errors.New("the vendor's store is down")

func (f *failing) Put(r Record) error {
	if f.armed && r.Family == int(FamilyInvoice) {
		if f.panicky {
			panic("disk on fire")
		}
		return errVendor
	}
	return f.MapStorage.Put(r)
}

func TestAPanicInStorageIsRecoveredAndReturned(t *testing.T) {
	st := &failing{MapStorage: NewMapStorage(), armed: true, panicky: true}
	e, err := Open("", &Options{Storage: st})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	e.Put(&Customer{ID: "C1", Name: "ACME"})
	_, err = e.Put(&Invoice{ID: "I1", CustomerID: "C1", IssueDate: ymd(2026, 1, 1), DueDate: ymd(2026, 1, 31), Amount: euro("1.00")})
	var cp *CallbackPanic
	if !errors.As(err, &cp) || cp.Value != "disk on fire" || cp.Where != "Storage.Put" || !errors.Is(err, ErrCallback) {
		t.Fatalf("%#v", err)
	}
	if st.Len(FamilyInvoice) != 0 {
		t.Fatal("the failed put left a record")
	}
	st.armed = false
	if out, err := e.Put(&Invoice{ID: "I1", CustomerID: "C1", IssueDate: ymd(2026, 1, 1), DueDate: ymd(2026, 1, 31), Amount: euro("1.00")}); err != nil || out != OutcomeInserted {
		t.Fatal(out, err)
	}
	if rep, err := e.AuditVerify(); err != nil || !rep.Verified {
		t.Fatal(rep, err)
	}
}

func TestAnErrorInStorageComesBackWrapped(t *testing.T) {
	st := &failing{MapStorage: NewMapStorage(), armed: true}
	e, _ := Open("", &Options{Storage: st})
	defer e.Close()
	e.Put(&Customer{ID: "C1", Name: "ACME"})
	b, _ := e.Begin("")
	b.Add(&Customer{ID: "C2", Name: "Globex"}, 1)
	// The batch writes as it goes: the failure comes back from Add or Commit.
	err := b.Add(&Invoice{ID: "I1", CustomerID: "C1", IssueDate: ymd(2026, 1, 1), DueDate: ymd(2026, 1, 31), Amount: euro("1.00")}, 2)
	if err == nil {
		_, err = b.Commit()
	} else {
		b.Close()
	}
	var ce *CallbackError
	if !errors.Is(err, errVendor) || !errors.As(err, &ce) || !errors.Is(err, ErrCallback) {
		t.Fatalf("%#v", err)
	}
	if st.Len(FamilyCustomer) != 1 {
		t.Fatal("the batch was not rolled back")
	}
}

type collecting struct {
	sent   []Message
	closed bool
}

func (c *collecting) Send(m Message) (SendResult, string, error) {
	c.sent = append(c.sent, m)
	return SendResultSent, "250 ok", nil
}

func (c *collecting) Lookup(key string) (LookupResult, error) {
	for _, m := range c.sent {
		if m.IdempotencyKey == key {
			return LookupResultSent, nil
		}
	}
	return LookupResultNotSent, nil
}

func (c *collecting) Close() error {
	c.closed = true
	return nil
}

func TestAGoTransportDeliversEachDecisionOnce(t *testing.T) {
	e := cycleLedger(t, NewMapStorage())
	tr := &collecting{}
	if err := e.SetTransport(tr); err != nil {
		t.Fatal(err)
	}
	r, err := e.RunCycle(ymd(2026, 3, 9), nil, nil)
	if err != nil || r.ByKind["send_message"] != 1 || r.Dispatch.Sent != uint64(len(tr.sent)) || len(tr.sent) == 0 {
		t.Fatal(r, err)
	}
	m := tr.sent[0]
	if m.Address != "ap@acme.example" || m.AmountMinor != 120000 || m.Currency != "EUR" || m.Subject == "" ||
		!LocalDay(m.LocalDate).Equal(ymd(2026, 3, 9)) || len(m.InvoiceIDs) != 1 {
		t.Fatalf("%+v", m)
	}
	item, err := e.OutboxItem(m.OutboxID)
	if err != nil || item.Status != OutboxStatusSent || item.LastDetail != "250 ok" {
		t.Fatal(item, err)
	}
	again, err := e.RunCycle(ymd(2026, 3, 9), nil, nil)
	if err != nil || again.OutboxWritten != 0 || len(tr.sent) != 1 {
		t.Fatal(again, err)
	}
	e.SetTransport(nil)
	if !tr.closed {
		t.Fatal("the transport was not closed")
	}
}

type panicking struct{}

func (panicking) Send(Message) (SendResult, string, error) { panic("SMTP server hung up") }
func (panicking) Close() error                             { return nil }

func TestAPanicInSendLeavesTheMessageInDoubtAndIsReturned(t *testing.T) {
	e := cycleLedger(t, NewMapStorage())
	e.SetTransport(panicking{})
	_, err := e.RunCycle(ymd(2026, 3, 9), nil, nil)
	var cp *CallbackPanic
	if !errors.As(err, &cp) || !strings.Contains(cp.Error(), "hung up") || cp.Where != "Transport.Send" {
		t.Fatalf("%#v", err)
	}
	items, _ := e.Outbox(OutboxStatusInDoubt)
	if len(items) == 0 {
		t.Fatal("nothing in doubt")
	}
	tr := &collecting{sent: []Message{{IdempotencyKey: items[0].IdempotencyKey}}}
	e.SetTransport(tr)
	rep, err := e.Dispatch(time.Time{}, 0)
	if err != nil || rep.ReconciledSent == 0 || len(tr.sent) != 1 {
		t.Fatal(rep, err)
	}
}

func TestDraftsWaitForAPerson(t *testing.T) {
	e := cycleLedger(t, NewMapStorage())
	tr := &collecting{}
	e.SetTransport(tr)
	r, err := e.RunCycle(ymd(2026, 3, 9), nil, &CycleOptions{Review: true})
	if err != nil || r.Drafts == 0 || len(tr.sent) != 0 {
		t.Fatal(r, err)
	}
	items, _ := e.Outbox(0)
	var draft string
	for _, it := range items {
		if it.Draft {
			draft = it.ID
		}
	}
	if err := e.EditDraft(draft, "anna", "", "About invoice INV-1", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Dispatch(time.Time{}, 0); err != nil {
		t.Fatal(err)
	}
	if len(tr.sent) != 1 || tr.sent[0].Subject != "About invoice INV-1" {
		t.Fatalf("%+v", tr.sent)
	}
}
