package archase

import (
	"encoding/json"
	"fmt"
	"time"

	"archase/internal/capi"
)

// The ledger's facts. Field names follow the C structs
// (include/archase/ledger.h); money is Money, dates are time.Time (the zero
// time: not set). Facts read back also carry what the engine derived.

// Fact is one of *Customer, *Contact, *CustomerFlags, *Invoice, *Payment,
// *Promise, *Dispute, *Note.
type Fact interface {
	Family() Family
	fill(in *input) error
}

// Customer is who owes. ID and Name are required.
type Customer struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Revision    int64    `json:"revision"`
	Tier        string   `json:"tier"`
	Owner       string   `json:"owner"`
	Collector   string   `json:"collector"`
	Timezone    string   `json:"timezone"`
	Locale      string   `json:"locale"`
	Country     string   `json:"country"`
	CreditLimit Money    `json:"credit_limit"` // Currency "" = none recorded
	Tags        []string `json:"tags"`
	SourceLink  string   `json:"source_link"`
}

// Contact is a way to reach a customer on one channel.
type Contact struct {
	ID         string  `json:"id"`
	CustomerID string  `json:"customer_id"`
	Revision   int64   `json:"revision"`
	Name       string  `json:"name"`
	Role       string  `json:"role"`
	Channel    Channel `json:"channel"`
	Address    string  `json:"address"`
	Consent    bool    `json:"consent"`
	Primary    bool    `json:"primary"`
}

// CustomerFlags are a customer's relationship flags.
type CustomerFlags struct {
	CustomerID   string    `json:"customer_id"`
	Revision     int64     `json:"revision"`
	Hold         bool      `json:"hold"`
	PausedUntil  time.Time `json:"paused_until"`
	Expansion    bool      `json:"expansion"`
	Strategic    bool      `json:"strategic"`
	ServiceIssue bool      `json:"service_issue"`
	Reason       string    `json:"reason"`
	SetBy        string    `json:"set_by"`
}

// Invoice is an invoice. Status, OpenAmount, LastPaymentDate and
// SettledDate are derived by the engine (read back only).
type Invoice struct {
	ID              string        `json:"id"`
	CustomerID      string        `json:"customer_id"`
	Number          string        `json:"number"`
	IssueDate       time.Time     `json:"issue_date"`
	DueDate         time.Time     `json:"due_date"`
	Amount          Money         `json:"amount"`
	Terms           string        `json:"terms"`
	PORef           string        `json:"po_ref"`
	SourceLink      string        `json:"source_link"`
	Revision        int64         `json:"revision"`
	SourceStatus    InvoiceStatus `json:"source_status"` // 0 = open
	Status          InvoiceStatus `json:"status"`
	OpenAmount      Money         `json:"open_amount"`
	LastPaymentDate time.Time     `json:"last_payment_date"`
	SettledDate     time.Time     `json:"settled_date"`
}

// Payment is a payment, credit note, adjustment or write-off. Applied is
// derived (read back only).
type Payment struct {
	ID          string      `json:"id"`
	CustomerID  string      `json:"customer_id"`
	InvoiceID   string      `json:"invoice_id"`
	Kind        PaymentKind `json:"kind"` // 0 = a payment
	Date        time.Time   `json:"date"`
	Amount      Money       `json:"amount"`
	Reference   string      `json:"reference"`
	SourceLink  string      `json:"source_link"`
	Overpayment bool        `json:"overpayment"`
	Revision    int64       `json:"revision"`
	Applied     Money       `json:"applied"`
}

// Instalment is one dated part of a promise's plan.
type Instalment struct {
	Date   time.Time `json:"date"`
	Amount Money     `json:"amount"`
}

// Promise is a promise to pay Amount by PromisedDate.
type Promise struct {
	ID           string       `json:"id"`
	CustomerID   string       `json:"customer_id"`
	InvoiceIDs   []string     `json:"invoice_ids"`
	Amount       Money        `json:"amount"`
	PromisedDate time.Time    `json:"promised_date"`
	Instalments  []Instalment `json:"instalments"`
	TakenBy      string       `json:"taken_by"`
	Channel      Channel      `json:"channel"`
	Note         string       `json:"note"`
	GraceDays    *int32       `json:"grace_days"` // nil = the policy's default
	RecordedOn   time.Time    `json:"recorded_on"`
	Revision     int64        `json:"revision"`
}

// Dispute is a dispute over some of a customer's invoices.
type Dispute struct {
	ID         string        `json:"id"`
	CustomerID string        `json:"customer_id"`
	InvoiceIDs []string      `json:"invoice_ids"`
	Amount     Money         `json:"amount"`
	ReasonCode string        `json:"reason_code"`
	Evidence   string        `json:"evidence"`
	OpenedBy   string        `json:"opened_by"`
	OpenedOn   time.Time     `json:"opened_on"`
	Owner      string        `json:"owner"`
	Status     DisputeStatus `json:"status"` // 0 = open
	Resolution Resolution    `json:"resolution"`
	RootCause  string        `json:"root_cause"`
	ResolvedOn time.Time     `json:"resolved_on"`
	Credited   Money         `json:"credited"`
	Revision   int64         `json:"revision"`
}

// Note is a note about a customer or one of its invoices.
type Note struct {
	ID         string    `json:"id"`
	CustomerID string    `json:"customer_id"`
	InvoiceID  string    `json:"invoice_id"`
	Author     string    `json:"author"`
	At         time.Time `json:"-"` // when it was written
	Text       string    `json:"text"`
	Revision   int64     `json:"revision"`
}

func (*Customer) Family() Family      { return FamilyCustomer }
func (*Contact) Family() Family       { return FamilyContact }
func (*CustomerFlags) Family() Family { return FamilyFlags }
func (*Invoice) Family() Family       { return FamilyInvoice }
func (*Payment) Family() Family       { return FamilyPayment }
func (*Promise) Family() Family       { return FamilyPromise }
func (*Dispute) Family() Family       { return FamilyDispute }
func (*Note) Family() Family          { return FamilyNote }

// UnmarshalJSON reads {"minor": 123, "currency": "EUR"} (or null: the zero Money).
func (m *Money) UnmarshalJSON(b []byte) error {
	var v *struct {
		Minor    int64  `json:"minor"`
		Currency string `json:"currency"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	if v == nil {
		*m = Money{}
		return nil
	}
	*m = Money{Minor: v.Minor, Currency: v.Currency}
	return nil
}

// ---- inputs: a fact built field by field in C -------------------------------

type input struct {
	h   capi.Archase_bind_input
	err error
}

func newInput(kind int) (*input, error) {
	var out uintptr
	if err := check(capi.Archase_bind_input_new(kind, &out), "archase_bind_input_new"); err != nil {
		return nil, err
	}
	return &input{h: capi.SwigcptrArchase_bind_input(out)}, nil
}

func (in *input) free() { capi.Archase_bind_input_free(in.h) }

func (in *input) check(rc int, fn string) {
	if in.err == nil {
		in.err = checkMsg(rc, fn, func() string { return capi.Archase_bind_input_errmsg(in.h) })
	}
}

func (in *input) text(name, v string) {
	if v != "" {
		in.check(capi.Archase_bind_input_set_text(in.h, name, v), "archase_bind_input_set_text")
	}
}

func (in *input) int(name string, v int64) {
	in.check(capi.Archase_bind_input_set_int(in.h, name, v), "archase_bind_input_set_int")
}

func (in *input) bool(name string, v bool) {
	if v {
		in.int(name, 1)
	}
}

func (in *input) date(name string, t time.Time) {
	if t.IsZero() {
		return
	}
	d, err := dateToC(t)
	if err != nil {
		in.err = err
		return
	}
	in.check(capi.Archase_bind_input_set_date(in.h, name, d), "archase_bind_input_set_date")
}

func (in *input) money(name string, m Money) {
	if m.Currency == "" && m.Minor == 0 {
		return
	}
	in.check(capi.Archase_bind_input_set_money(in.h, name, m.Minor, m.Currency), "archase_bind_input_set_money")
}

func (in *input) list(name string, items []string) {
	for _, v := range items {
		in.check(capi.Archase_bind_input_add_text(in.h, name, v), "archase_bind_input_add_text")
	}
}

func (c *Customer) fill(in *input) error {
	in.text("id", c.ID)
	in.text("name", c.Name)
	in.int("revision", c.Revision)
	in.text("tier", c.Tier)
	in.text("owner", c.Owner)
	in.text("collector", c.Collector)
	in.text("timezone", c.Timezone)
	in.text("locale", c.Locale)
	in.text("country", c.Country)
	in.money("credit_limit", c.CreditLimit)
	in.list("tags", c.Tags)
	in.text("source_link", c.SourceLink)
	return in.err
}

func (c *Contact) fill(in *input) error {
	in.text("id", c.ID)
	in.text("customer_id", c.CustomerID)
	in.int("revision", c.Revision)
	in.text("name", c.Name)
	in.text("role", c.Role)
	in.int("channel", int64(c.Channel))
	in.text("address", c.Address)
	in.bool("consent", c.Consent)
	in.bool("primary", c.Primary)
	return in.err
}

func (f *CustomerFlags) fill(in *input) error {
	in.text("customer_id", f.CustomerID)
	in.int("revision", f.Revision)
	in.bool("hold", f.Hold)
	in.date("paused_until", f.PausedUntil)
	in.bool("expansion", f.Expansion)
	in.bool("strategic", f.Strategic)
	in.bool("service_issue", f.ServiceIssue)
	in.text("reason", f.Reason)
	in.text("set_by", f.SetBy)
	return in.err
}

func (v *Invoice) fill(in *input) error {
	in.text("id", v.ID)
	in.text("customer_id", v.CustomerID)
	in.text("number", v.Number)
	in.date("issue_date", v.IssueDate)
	in.date("due_date", v.DueDate)
	in.money("amount", v.Amount)
	in.text("terms", v.Terms)
	in.text("po_ref", v.PORef)
	in.text("source_link", v.SourceLink)
	in.int("revision", v.Revision)
	if v.SourceStatus != 0 {
		in.int("source_status", int64(v.SourceStatus))
	}
	return in.err
}

func (p *Payment) fill(in *input) error {
	in.text("id", p.ID)
	in.text("customer_id", p.CustomerID)
	in.text("invoice_id", p.InvoiceID)
	if p.Kind != 0 {
		in.int("kind", int64(p.Kind))
	}
	in.date("date", p.Date)
	in.money("amount", p.Amount)
	in.text("reference", p.Reference)
	in.text("source_link", p.SourceLink)
	in.bool("overpayment", p.Overpayment)
	in.int("revision", p.Revision)
	return in.err
}

func (p *Promise) fill(in *input) error {
	in.text("id", p.ID)
	in.text("customer_id", p.CustomerID)
	in.list("invoice_ids", p.InvoiceIDs)
	in.money("amount", p.Amount)
	in.date("promised_date", p.PromisedDate)
	for _, part := range p.Instalments {
		d, err := dateToC(part.Date)
		if err != nil {
			return err
		}
		in.check(capi.Archase_bind_input_add_instalment(in.h, d, part.Amount.Minor, part.Amount.Currency),
			"archase_bind_input_add_instalment")
	}
	in.text("taken_by", p.TakenBy)
	in.int("channel", int64(p.Channel))
	in.text("note", p.Note)
	if p.GraceDays != nil {
		in.int("grace_days", int64(*p.GraceDays))
	}
	in.date("recorded_on", p.RecordedOn)
	in.int("revision", p.Revision)
	return in.err
}

func (d *Dispute) fill(in *input) error {
	in.text("id", d.ID)
	in.text("customer_id", d.CustomerID)
	in.list("invoice_ids", d.InvoiceIDs)
	in.money("amount", d.Amount)
	in.text("reason_code", d.ReasonCode)
	in.text("evidence", d.Evidence)
	in.text("opened_by", d.OpenedBy)
	in.date("opened_on", d.OpenedOn)
	in.text("owner", d.Owner)
	if d.Status != 0 {
		in.int("status", int64(d.Status))
	}
	in.int("resolution", int64(d.Resolution))
	in.text("root_cause", d.RootCause)
	in.date("resolved_on", d.ResolvedOn)
	in.money("credited", d.Credited)
	in.int("revision", d.Revision)
	return in.err
}

func (n *Note) fill(in *input) error {
	in.text("id", n.ID)
	in.text("customer_id", n.CustomerID)
	in.text("invoice_id", n.InvoiceID)
	in.text("author", n.Author)
	if !n.At.IsZero() {
		in.int("at", n.At.Unix())
	}
	in.text("text", n.Text)
	in.int("revision", n.Revision)
	return in.err
}

func factInput(f Fact) (*input, error) {
	if f == nil {
		return nil, errorf(codeInvalid, "a nil fact")
	}
	in, err := newInput(int(f.Family()))
	if err != nil {
		return nil, err
	}
	if err := f.fill(in); err != nil {
		in.free()
		return nil, err
	}
	return in, nil
}

// Put stores one fact in its own transaction and says what it did.
func (e *Engine) Put(f Fact) (Outcome, error) {
	in, err := factInput(f)
	if err != nil {
		return 0, err
	}
	defer in.free()
	var out int32
	err = e.call("archase_bind_put", func(h capi.Archase_engine) int {
		return capi.Archase_bind_put(h, in.h, &out)
	})
	return Outcome(out), err
}

// FactFilter selects facts of one family; zero fields match anything.
type FactFilter struct {
	Family     Family
	CustomerID string
	InvoiceID  string
	Status     int
	DateFrom   time.Time // on the family's key date (due date, payment date...)
	DateTo     time.Time
}

func newFact(f Family) (Fact, error) {
	switch f {
	case FamilyCustomer:
		return &Customer{}, nil
	case FamilyContact:
		return &Contact{}, nil
	case FamilyFlags:
		return &CustomerFlags{}, nil
	case FamilyInvoice:
		return &Invoice{}, nil
	case FamilyPayment:
		return &Payment{}, nil
	case FamilyPromise:
		return &Promise{}, nil
	case FamilyDispute:
		return &Dispute{}, nil
	case FamilyNote:
		return &Note{}, nil
	}
	return nil, errorf(codeInvalid, fmt.Sprintf("family %d is not a ledger fact", int(f)))
}

type rawFact struct {
	Family Family `json:"family"`
	At     *int64 `json:"at"`
}

func (e *Engine) facts(fam Family, id string, flt FactFilter) ([]Fact, error) {
	if _, err := newFact(fam); err != nil {
		return nil, err
	}
	from, err := dateArg(flt.DateFrom)
	if err != nil {
		return nil, err
	}
	to, err := dateArg(flt.DateTo)
	if err != nil {
		return nil, err
	}
	var raw []json.RawMessage
	err = e.jsonCall("archase_bind_facts", &raw, func(h capi.Archase_engine, out *uintptr) int {
		return capi.Archase_bind_facts(h, int(fam), id, flt.CustomerID, flt.InvoiceID, flt.Status, from, to, out)
	})
	if err != nil {
		return nil, err
	}
	facts := make([]Fact, 0, len(raw))
	for _, r := range raw {
		var head rawFact
		if err := json.Unmarshal(r, &head); err != nil {
			return nil, err
		}
		f, err := newFact(head.Family)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(r, f); err != nil {
			return nil, err
		}
		if n, ok := f.(*Note); ok && head.At != nil && *head.At != 0 {
			n.At = time.Unix(*head.At, 0).UTC()
		}
		facts = append(facts, f)
	}
	return facts, nil
}

// Get reads the fact of family fam with id (flags: the customer id);
// ErrNotFound when there is none.
func (e *Engine) Get(fam Family, id string) (Fact, error) {
	if id == "" {
		return nil, errorf(codeInvalid, "an id is required")
	}
	fs, err := e.facts(fam, id, FactFilter{})
	if err != nil {
		return nil, err
	}
	return fs[0], nil
}

// Facts lists the facts matching the filter, in id order.
func (e *Engine) Facts(flt FactFilter) ([]Fact, error) {
	return e.facts(flt.Family, "", flt)
}

// Invoice reads one invoice.
func (e *Engine) Invoice(id string) (*Invoice, error) {
	f, err := e.Get(FamilyInvoice, id)
	if err != nil {
		return nil, err
	}
	return f.(*Invoice), nil
}

// Customer reads one customer.
func (e *Engine) Customer(id string) (*Customer, error) {
	f, err := e.Get(FamilyCustomer, id)
	if err != nil {
		return nil, err
	}
	return f.(*Customer), nil
}

// ---- batches ----------------------------------------------------------------

// BatchSummary is what a batch or an import did.
type BatchSummary struct {
	Inserted, Updated, Duplicates, Stale, Rejected uint64
}

func summaryOf(s capi.Archase_batch_summary) BatchSummary {
	return BatchSummary{s.GetInserted(), s.GetUpdated(), s.GetDuplicates(), s.GetStale(), s.GetRejected()}
}

// Batch writes facts all together or not at all.
type Batch struct {
	e *Engine
	h capi.Archase_batch
}

// Begin opens a batch; source names it in the audit log ("" = none).
func (e *Engine) Begin(source string) (*Batch, error) {
	var out uintptr
	err := e.call("archase_batch_begin", func(h capi.Archase_engine) int {
		return capi.Archase_batch_begin(h, nil, source, &out)
	})
	if err != nil {
		return nil, err
	}
	return &Batch{e: e, h: capi.SwigcptrArchase_batch(out)}, nil
}

// Add adds a fact; line is where it came from (0: not from a file).
func (b *Batch) Add(f Fact, line uint32) error {
	if b.h == nil {
		return errorf(codeState, "the batch is closed")
	}
	in, err := factInput(f)
	if err != nil {
		return err
	}
	defer in.free()
	return b.e.call("archase_bind_batch_add", func(capi.Archase_engine) int {
		return capi.Archase_bind_batch_add(b.h, in.h, uint(line))
	})
}

// Commit writes everything or nothing, and closes the batch.
func (b *Batch) Commit() (BatchSummary, error) {
	if b.h == nil {
		return BatchSummary{}, errorf(codeState, "the batch is closed")
	}
	s := capi.NewArchase_batch_summary()
	defer capi.DeleteArchase_batch_summary(s)
	s.SetVersion(1)
	err := b.e.call("archase_batch_commit", func(capi.Archase_engine) int {
		return capi.Archase_batch_commit(b.h, s)
	})
	sum := summaryOf(s)
	b.Close()
	return sum, err
}

// Close rolls back an uncommitted batch; it is safe to call after Commit.
func (b *Batch) Close() {
	if b.h != nil {
		b.e.mu.Lock()
		if b.e.h != nil {
			capi.Archase_batch_free(b.h)
		}
		b.e.mu.Unlock()
		b.h = nil
	}
}
