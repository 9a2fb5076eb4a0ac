package archase

import (
	"errors"
	"testing"
	"time"
)

func TestPromisesDisputesReconciliationCredit(t *testing.T) {
	e := cycleLedger(t, NewMapStorage())
	e.Put(&Invoice{ID: "INV-2", CustomerID: "ACME", IssueDate: ymd(2026, 2, 1), DueDate: ymd(2026, 3, 2), Amount: euro("1000.00")})
	p := &Promise{ID: "P1", CustomerID: "ACME", InvoiceIDs: []string{"INV-1"}, Amount: euro("1200.00"),
		PromisedDate: ymd(2026, 3, 10), RecordedOn: ymd(2026, 3, 5), TakenBy: "anna"}
	if err := e.RecordPromise(p, ymd(2026, 3, 5), nil); err != nil {
		t.Fatal(err)
	}
	e.Put(&Payment{ID: "PAY-1", CustomerID: "ACME", InvoiceID: "INV-1", Date: ymd(2026, 3, 9), Amount: euro("1200.00")})
	c, err := e.UpdateLifecycle(ymd(2026, 3, 20), nil)
	if err != nil || c.PromisesKept != 1 {
		t.Fatal(c, err)
	}
	info, err := e.PromiseInfo("P1")
	if err != nil || info.State != PromiseStateKept || info.Paid != euro("1200.00") || info.Promise.InvoiceIDs[0] != "INV-1" {
		t.Fatal(info, err)
	}
	d := &Dispute{ID: "D1", CustomerID: "ACME", InvoiceIDs: []string{"INV-2"}, Amount: euro("400.00"),
		ReasonCode: "pricing", OpenedOn: ymd(2026, 3, 5), OpenedBy: "anna"}
	if err := e.OpenDispute(d, ymd(2026, 3, 5), nil); err != nil {
		t.Fatal(err)
	}
	if _, pending, err := e.ResolveDispute("D1", DisputeOutcome{Resolution: ResolutionCreditIssued, Credited: euro("400.00"),
		RootCause: "price_list_outdated", By: "lena"}, ymd(2026, 3, 10), nil); err != nil || pending {
		t.Fatal(pending, err)
	}
	inv, _ := e.Invoice("INV-2")
	if inv.OpenAmount != euro("600.00") {
		t.Fatal(inv.OpenAmount)
	}
	e.Put(&Payment{ID: "PAY-U", CustomerID: "ACME", Date: ymd(2026, 3, 11), Amount: euro("50.00")})
	e.UpdateLifecycle(ymd(2026, 3, 11), nil)
	items, err := e.Reconciliation(1, nil)
	if err != nil || len(items) != 1 || items[0].Reason != ReconReasonUnappliedCash {
		t.Fatal(items, err)
	}
	if _, _, err := e.ResolveReconciliation(items[0].ID, ReconAction{Resolution: ReconResolutionApply, InvoiceID: "INV-2", By: "anna"},
		ymd(2026, 3, 12), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.RecommendCredit("NOPE", ymd(2026, 3, 12), nil); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
	if r, err := e.RecommendCredit("ACME", ymd(2026, 3, 12), nil); err != nil || r.Action == 0 {
		t.Fatal(r, err)
	}
}

func TestInZone(t *testing.T) {
	day, secs, off, dst, abbr, err := InZone(time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC), "Europe/Berlin", "")
	if err != nil || !day.Equal(ymd(2026, 3, 29)) || secs != 3*3600+1800 || off != 7200 || !dst || abbr != "CEST" {
		t.Fatal(day, secs, off, dst, abbr, err)
	}
	if _, _, _, _, _, err := InZone(time.Now(), "Mars/Olympus_Mons", ""); err == nil {
		t.Fatal("an unknown zone loaded")
	}
}
