package archase

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const testPolicy = `version: 1
currency: {default: EUR}
segments: [{name: all, sequence: s}]
sequences:
  s:
    steps:
      - {offset: 1, action: alert_owner}
approvals:
  materiality: [1000 EUR]
  roles: [finance_lead, controller]
  expiry_days: 5
`

func ymd(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func euro(s string) Money { return MustParseMoney(s + " EUR") }

func mustPolicy(t *testing.T) *Policy {
	t.Helper()
	p, err := ParsePolicy([]byte(testPolicy), "policy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// ledger is an in-memory engine with a customer, a contact and two invoices.
func ledger(t *testing.T) *Engine {
	t.Helper()
	e, err := Open("", &Options{Actor: "tester", Now: time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC), Policy: mustPolicy(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	for _, f := range []Fact{
		&Customer{ID: "C1", Name: "ACME", Collector: "anna", Owner: "olaf", Timezone: "Europe/Berlin", Tags: []string{"key"}},
		&Contact{ID: "C1:email", CustomerID: "C1", Channel: ChannelEmail, Address: "ap@acme.example", Consent: true, Primary: true},
		&Invoice{ID: "I1", CustomerID: "C1", Number: "2026-0001", IssueDate: ymd(2026, 1, 1), DueDate: ymd(2026, 1, 31), Amount: euro("1500.00")},
		&Invoice{ID: "I2", CustomerID: "C1", IssueDate: ymd(2026, 2, 1), DueDate: ymd(2026, 3, 3), Amount: euro("300.00")},
	} {
		if out, err := e.Put(f); err != nil || out != OutcomeInserted {
			t.Fatalf("put %T: %v %v", f, out, err)
		}
	}
	return e
}

func TestOpenInMemoryAndClose(t *testing.T) {
	e, err := Open("", &Options{Actor: "anna"})
	if err != nil {
		t.Fatal(err)
	}
	if e.Actor() != "anna" {
		t.Fatalf("actor %q", e.Actor())
	}
	if v, err := e.SchemaVersion(); err != nil || v < 1 {
		t.Fatal(v, err)
	}
	e.Close()
	e.Close()
	if _, err := e.Put(&Customer{ID: "C1", Name: "x"}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("put on a closed engine: %v", err)
	}
}

func TestSQLiteKeepsFactsAndReadOnlyRefusesWrites(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ledger.db")
	e, err := Open(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Put(&Customer{ID: "C1", Name: "ACME"}); err != nil {
		t.Fatal(err)
	}
	e.Close()
	ro, err := Open(db, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	c, err := ro.Customer("C1")
	if err != nil || c.Name != "ACME" {
		t.Fatal(c, err)
	}
	_, err = ro.Put(&Customer{ID: "C2", Name: "Globex"})
	var ae *Error
	if !errors.Is(err, ErrStorage) || !errors.As(err, &ae) || ae.Message == "" || ae.Func != "archase_bind_put" {
		t.Fatalf("read-only put: %#v", err)
	}
	if _, err := Open(filepath.Join(t.TempDir(), "nope.db"), &Options{ReadOnly: true}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing file: %v", err)
	}
}

func TestEveryFactRoundTrips(t *testing.T) {
	e := ledger(t)
	grace := int32(3)
	facts := []Fact{
		&CustomerFlags{CustomerID: "C1", Hold: true, PausedUntil: ymd(2026, 4, 1), Reason: "billing", Revision: 1},
		&Payment{ID: "P1", CustomerID: "C1", InvoiceID: "I2", Date: ymd(2026, 3, 5), Amount: euro("100.00")},
		&Promise{ID: "PR1", CustomerID: "C1", InvoiceIDs: []string{"I1"}, Amount: euro("1500.00"), PromisedDate: ymd(2026, 3, 20),
			Instalments: []Instalment{{ymd(2026, 3, 15), euro("500.00")}, {ymd(2026, 3, 20), euro("1000.00")}}, GraceDays: &grace,
			RecordedOn: ymd(2026, 3, 6)},
		&Dispute{ID: "D1", CustomerID: "C1", InvoiceIDs: []string{"I1"}, Amount: euro("200.00"), ReasonCode: "pricing", OpenedOn: ymd(2026, 3, 7)},
		&Note{ID: "N1", CustomerID: "C1", InvoiceID: "I1", Author: "anna", Text: "called", At: time.Unix(1773100000, 0)},
	}
	for _, f := range facts {
		if _, err := e.Put(f); err != nil {
			t.Fatalf("%T: %v", f, err)
		}
	}
	inv, err := e.Invoice("I2")
	if err != nil || inv.OpenAmount != euro("200.00") || inv.Status != InvoiceStatusOpen || !inv.LastPaymentDate.Equal(ymd(2026, 3, 5)) {
		t.Fatalf("%+v %v", inv, err)
	}
	f, err := e.Get(FamilyFlags, "C1")
	if err != nil {
		t.Fatal(err)
	}
	if fl := f.(*CustomerFlags); !fl.Hold || !fl.PausedUntil.Equal(ymd(2026, 4, 1)) || fl.Reason != "billing" {
		t.Fatalf("%+v", fl)
	}
	f, _ = e.Get(FamilyPayment, "P1")
	if p := f.(*Payment); p.Applied != euro("100.00") || p.Kind != PaymentKindPayment {
		t.Fatalf("%+v", p)
	}
	f, _ = e.Get(FamilyPromise, "PR1")
	if p := f.(*Promise); len(p.Instalments) != 2 || p.Instalments[1].Amount != euro("1000.00") || *p.GraceDays != 3 {
		t.Fatalf("%+v", p)
	}
	f, _ = e.Get(FamilyDispute, "D1")
	if d := f.(*Dispute); d.Status != DisputeStatusOpen || d.Amount != euro("200.00") || !d.OpenedOn.Equal(ymd(2026, 3, 7)) {
		t.Fatalf("%+v", d)
	}
	f, _ = e.Get(FamilyNote, "N1")
	if n := f.(*Note); n.Text != "called" || n.At.Unix() != 1773100000 {
		t.Fatalf("%+v", n)
	}
	c, _ := e.Customer("C1")
	if len(c.Tags) != 1 || c.Tags[0] != "key" || c.CreditLimit.Currency != "" {
		t.Fatalf("%+v", c)
	}
	list, err := e.Facts(FactFilter{Family: FamilyInvoice, DateFrom: ymd(2026, 3, 1)})
	if err != nil || len(list) != 1 || list[0].(*Invoice).ID != "I2" {
		t.Fatalf("%v %v", list, err)
	}
	if _, err := e.Get(FamilyInvoice, "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
}

func TestOutcomesConflictsAndBadFacts(t *testing.T) {
	e := ledger(t)
	inv := &Invoice{ID: "I9", CustomerID: "C1", IssueDate: ymd(2026, 1, 1), DueDate: ymd(2026, 1, 31), Amount: euro("10.00"), Revision: 2}
	want := []Outcome{OutcomeInserted, OutcomeDuplicate}
	for _, w := range want {
		if got, err := e.Put(inv); got != w || err != nil {
			t.Fatal(got, err)
		}
	}
	inv.Amount = euro("11.00")
	_, err := e.Put(inv)
	var ae *Error
	if !errors.Is(err, ErrConflict) || !errors.As(err, &ae) || !strings.Contains(ae.Message, "I9") {
		t.Fatalf("conflict: %v", err)
	}
	_, err = e.Put(&Invoice{ID: "I3", CustomerID: "NOPE", IssueDate: ymd(2026, 1, 1), DueDate: ymd(2026, 1, 31), Amount: euro("1.00")})
	if err == nil || !strings.Contains(err.Error(), "NOPE") {
		t.Fatalf("unknown customer: %v", err)
	}
	if _, err := e.Put(nil); !errors.Is(err, ErrInvalid) {
		t.Fatal(err)
	}
}

func TestBatchIsAllOrNothing(t *testing.T) {
	e := ledger(t)
	b, err := e.Begin("test")
	if err != nil {
		t.Fatal(err)
	}
	b.Add(&Customer{ID: "C2", Name: "Globex"}, 1)
	b.Add(&Invoice{ID: "I5", CustomerID: "C2", IssueDate: ymd(2026, 1, 1), DueDate: ymd(2026, 1, 31), Amount: euro("5.00")}, 2)
	s, err := b.Commit()
	if err != nil || s.Inserted != 2 {
		t.Fatal(s, err)
	}
	b, _ = e.Begin("")
	b.Add(&Customer{ID: "C3", Name: "Initech"}, 1)
	b.Close() // rolled back
	cs, _ := e.Facts(FactFilter{Family: FamilyCustomer})
	if len(cs) != 2 {
		t.Fatalf("%d customers", len(cs))
	}
	if err := b.Add(&Customer{ID: "C4", Name: "x"}, 0); !errors.Is(err, ErrState) {
		t.Fatal(err)
	}
}

func TestImportExportAndDiagnostics(t *testing.T) {
	e, _ := Open("", nil)
	defer e.Close()
	if _, err := e.Import([]byte("customer_id,name\nC1,ACME\n"), ImportOptions{Kind: KindCustomers}); err != nil {
		t.Fatal(err)
	}
	inv := "invoice_id,customer_id,number,issue_date,due_date,amount,currency\nI1,C1,1,2026-01-01,2026-01-31,1200.00,EUR\n"
	if s, err := e.Import([]byte(inv), ImportOptions{Kind: KindInvoices}); err != nil || s.Inserted != 1 {
		t.Fatal(s, err)
	}
	out, err := e.Export(KindInvoices, FormatCsv)
	if err != nil || !strings.Contains(out, "I1,C1,1,2026-01-01,2026-01-31,1200.00,EUR") {
		t.Fatalf("%q %v", out, err)
	}
	bad := "invoice_id,customer_id,number,issue_date,due_date,amount,currency\nI2,C9,1,2026-01-01,2026-01-31,1.00,EUR\nI3,C9,1,2026-01-01,2026-01-31,1.00,EUR\n"
	_, err = e.Import([]byte(bad), ImportOptions{Kind: KindInvoices, Source: "bad.csv"})
	var pe *PolicyError
	if !errors.As(err, &pe) || len(pe.Diagnostics) != 2 || pe.Diagnostics[1].Line != 3 || pe.Diagnostics[0].Source != "bad.csv" {
		t.Fatalf("%#v", err)
	}
	if _, err := e.ImportFile("/nonexistent.csv", ImportOptions{Kind: KindInvoices}); !errors.Is(err, ErrIO) {
		t.Fatal(err)
	}
}

func TestPolicyInfoAndErrors(t *testing.T) {
	p := mustPolicy(t)
	info, err := p.Info()
	if err != nil || info.Version != 1 || info.DefaultCurrency != "EUR" || info.Settings["currency.default"] != "EUR" {
		t.Fatal(info, err)
	}
	if len(info.Materiality) != 1 || info.Materiality[0] != euro("1000.00") || p.Hash() == [32]byte{} {
		t.Fatal(info.Materiality)
	}
	path := filepath.Join(t.TempDir(), "nope.yaml")
	_, err = LoadPolicy(path)
	if err == nil {
		t.Fatal("a missing policy loaded")
	}
	_, err = ParsePolicy([]byte("version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: nope}]\nsequences: {s: {steps: [{offset: 1, action: alert_owner}]}}\n"), "bad.yaml")
	var pe *PolicyError
	if !errors.Is(err, ErrPolicy) || !errors.As(err, &pe) || pe.Diagnostics[0].Line != 3 || !strings.HasPrefix(pe.Err.Message, "bad.yaml:3:") {
		t.Fatalf("%#v", err)
	}
}

func TestEvaluateWorklistAndDeterminism(t *testing.T) {
	e := ledger(t)
	ev, err := e.Evaluate(ymd(2026, 3, 10), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	res, err := ev.Result()
	if err != nil || len(res.Decisions) != ev.Len() {
		t.Fatal(err)
	}
	if len(res.Decisions) == 0 || res.Decisions[0].Kind != DecisionKindAlertOwner || res.Decisions[0].Amount.Currency != "EUR" {
		t.Fatalf("%+v", res.Decisions)
	}
	if res.Coverage.OverdueInvoices != 2 || res.Coverage.Unaccounted != 0 || len(res.Assessments) != 2 {
		t.Fatalf("%+v", res.Coverage)
	}
	lines, err := ev.Worklist("")
	if err != nil || len(lines) == 0 || lines[0].Rank != 1 || lines[0].Owner == "" {
		t.Fatal(lines, err)
	}
	again, _ := e.Evaluate(ymd(2026, 3, 10), nil)
	defer again.Close()
	a, _ := ev.Encode()
	b, _ := again.Encode()
	res2, _ := again.Result()
	if res2.Hash != res.Hash || string(a) != string(b) || len(a) == 0 {
		t.Fatal("the same evaluation twice differs")
	}
	none, err := e.Worklist(ymd(2026, 3, 10), "nobody", nil)
	if err != nil || len(none) != 0 {
		t.Fatal(none, err)
	}
	bare, _ := Open("", nil)
	defer bare.Close()
	if _, err := bare.Evaluate(ymd(2026, 3, 10), nil); !errors.Is(err, ErrInvalid) {
		t.Fatal(err)
	}
}

func TestKPIForecastReplay(t *testing.T) {
	e := ledger(t)
	e.Put(&Payment{ID: "P1", CustomerID: "C1", InvoiceID: "I1", Date: ymd(2026, 3, 5), Amount: euro("500.00")})
	k, err := e.KPI(ymd(2026, 3, 1), ymd(2026, 3, 31), KPIOptions{})
	if err != nil {
		t.Fatal(err)
	}
	eurRow := k["EUR"]
	if eurRow["open_ar"] != "1300.00" || eurRow["open_invoices"].(json.Number).String() != "2" {
		t.Fatalf("%v", eurRow)
	}
	if eurRow["aging"].(map[string]any)["31_60"] != "1000.00" {
		t.Fatalf("%v", eurRow["aging"])
	}
	series, err := e.KPISeries(ymd(2026, 1, 1), ymd(2026, 3, 31), KPIOptions{By: "month"})
	if err != nil || len(series) != 3 {
		t.Fatal(series, err)
	}
	if _, err := e.KPI(ymd(2026, 1, 1), ymd(2026, 3, 31), KPIOptions{By: "year"}); !errors.Is(err, ErrInvalid) {
		t.Fatal(err)
	}
	rows, err := e.Forecast(ymd(2026, 3, 10), ForecastOptions{Weeks: 4})
	if err != nil || len(rows) != 1 || rows[0].OpenAR != euro("1300.00") || len(rows[0].Detail) != 4 {
		t.Fatal(rows, err)
	}
	var sum int64
	for _, w := range rows[0].Detail {
		sum += w.Expected.Minor
	}
	if sum != rows[0].Expected.Minor {
		t.Fatalf("weeks sum to %d, expected %d", sum, rows[0].Expected.Minor)
	}
	r, err := e.Replay(ymd(2026, 3, 1), ymd(2026, 3, 10), nil)
	if err != nil || r.Summary.Days != 10 || len(r.Days) != 10 || !r.Days[0].Date.Equal(ymd(2026, 3, 1)) {
		t.Fatal(r, err)
	}
}

func TestAuditAndMerkle(t *testing.T) {
	e := ledger(t)
	n, err := e.AuditSize()
	if err != nil || n < 4 {
		t.Fatal(n, err)
	}
	rep, err := e.AuditVerify()
	if err != nil || !rep.Verified || rep.Size != n {
		t.Fatal(rep, err)
	}
	p, err := e.AuditProveInclusion(1, n)
	if err != nil {
		t.Fatal(err)
	}
	var leaf, root [32]byte
	copy(leaf[:], p.LeafHash)
	copy(root[:], p.Root)
	if !MerkleVerifyInclusion(leaf, 1, n, p.Nodes, root) || MerkleVerifyInclusion(leaf, 2, n, p.Nodes, root) {
		t.Fatal("inclusion proof")
	}
	exp, err := e.AuditExport()
	if err != nil || strings.Count(exp, "\n") < int(n) {
		t.Fatal(err)
	}
	if _, err := e.AuditVerify([]byte("short")); !errors.Is(err, ErrInvalid) {
		t.Fatal(err)
	}
	var hashes [][32]byte
	for i := 0; i < 7; i++ {
		hashes = append(hashes, MerkleLeafHash([]byte{byte(i)}))
	}
	r := MerkleRoot(hashes)
	for i := uint64(0); i < 7; i++ {
		proof, err := MerkleProveInclusion(hashes, i)
		if err != nil || !MerkleVerifyInclusion(hashes[i], i, 7, proof, r) {
			t.Fatal(i, err)
		}
	}
	if _, err := MerkleProveInclusion(hashes, 7); !errors.Is(err, ErrInvalid) {
		t.Fatal(err)
	}
}

func TestApprovals(t *testing.T) {
	e := ledger(t)
	req := ApprovalRequest{Action: ActionWriteOff, CustomerID: "C1", InvoiceIDs: []string{"I1"}, Amount: euro("1500.00"),
		Requester: "anna", RequesterRole: "collector", Justification: "insolvency confirmed by the administrator",
		CustomerImpact: "account closed, no more reminders"}
	id, created, err := e.RequestApproval(req, nil)
	if err != nil || !created {
		t.Fatal(err)
	}
	if again, created, _ := e.RequestApproval(req, nil); again != id || created {
		t.Fatal("a repeated request is new")
	}
	if _, err := e.Approve(id, Vote{Actor: "anna", Role: "finance_lead", Reason: "mine"}); !errors.Is(err, ErrDenied) {
		t.Fatalf("the requester approved: %v", err)
	}
	if s, err := e.Approve(id, Vote{Actor: "fiona", Role: "finance_lead", Reason: "ok"}); err != nil || s != ApprovalStatusPending {
		t.Fatal(s, err)
	}
	if s, err := e.Approve(id, Vote{Actor: "carl", Role: "controller", Reason: "ok"}); err != nil || s != ApprovalStatusApproved {
		t.Fatal(s, err)
	}
	a, err := e.Approval(id)
	if err != nil || a.ApprovalsRequired != 2 || len(a.Votes) != 2 || a.Amount != euro("1500.00") {
		t.Fatal(a, err)
	}
	if _, err := e.DispatchApproval(id, "anna"); err != nil {
		t.Fatal(err)
	}
	if list, _ := e.Approvals(ApprovalStatusDispatched); len(list) != 1 {
		t.Fatal(list)
	}
	over := ApprovalRequest{Action: ActionOverride, CustomerID: "C1", InvoiceIDs: []string{"I2"}, Requester: "anna",
		Justification: "insolvency confirmed by the administrator", CustomerImpact: "account closed, no more reminders",
		ReasonCode: "paid_by_cheque", Detail: "skip the reminder for I2"}
	oid, _, err := e.RequestApproval(over, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s, err := e.Reject(oid, Vote{Actor: "fiona", Role: "finance_lead", Reason: "no"}); err != nil || s != ApprovalStatusRejected {
		t.Fatal(s, err)
	}
	sample, err := e.OverrideSample(ymd(2026, 1, 1), ymd(2026, 12, 31), 5, 7)
	if err != nil || len(sample) != 1 || sample[0].ID != oid {
		t.Fatal(sample, err)
	}
	if _, err := e.Approval("nope"); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
}
