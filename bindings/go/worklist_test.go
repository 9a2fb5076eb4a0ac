package archase

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"archase/internal/capi"
)

// The worklist crosses as rows (archase_bind_worklist_rows); every line must
// be the one the library's JSON of the same worklist describes.
func TestWorklistRowsGiveTheLinesTheJSONDescribes(t *testing.T) {
	root := os.Getenv("ARCHASE_SOURCE_ROOT")
	if root == "" {
		t.Fatal("ARCHASE_SOURCE_ROOT is not set (meson test sets it)")
	}
	p, err := LoadPolicy(filepath.Join(root, "examples", "policies", "smb-friendly.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	e, err := Open("", &Options{Policy: p})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for _, k := range []struct {
		kind Kind
		file string
	}{{KindCustomers, "customers.csv"}, {KindInvoices, "invoices.csv"}, {KindPayments, "payments.csv"},
		{KindDisputes, "disputes.csv"}, {KindPromises, "promises.csv"}} {
		if _, err := e.ImportFile(filepath.Join(root, "examples", "data", k.file), ImportOptions{Kind: k.kind}); err != nil {
			t.Fatalf("%s: %v", k.file, err)
		}
	}
	ev, err := e.Evaluate(time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	lines, err := ev.Worklist("")
	if err != nil {
		t.Fatal(err)
	}
	var wlOut, out uintptr
	if err := check(capi.Archase_bind_worklist_build(ev.ds, "", &wlOut), "build"); err != nil {
		t.Fatal(err)
	}
	wl := capi.SwigcptrArchase_worklist(wlOut)
	defer capi.Archase_worklist_free(wl)
	if err := check(capi.Archase_bind_worklist_json(wl, &out), "json"); err != nil {
		t.Fatal(err)
	}
	var want []WorklistLine
	if err := json.Unmarshal([]byte(text(out)), &want); err != nil {
		t.Fatal(err)
	}
	if len(lines) < 10 || !reflect.DeepEqual(lines, want) {
		t.Fatalf("%d lines from rows, %d from JSON; first: %+v / %+v", len(lines), len(want), lines[0], want[0])
	}
	withDecision, multi := false, false
	for _, l := range lines {
		withDecision = withDecision || l.Decision != nil
		multi = multi || len(l.InvoiceIDs) > 1
	}
	if !withDecision || !multi {
		t.Fatalf("the example worklist should have lines from decisions and lines of several invoices")
	}
}

func TestWorklistRowsAreSplitAsDocumented(t *testing.T) {
	rows := "1\tanna\tC1\t1\tcall\t2026-03-02\t40\t1050\tEUR\t12\t3\tI1\x1fI2\t1,6\n" +
		"2\tbo\\09b\\5c\tC2\t2\tnote\t\t0\t0\t\t0\t\tI3\t\n"
	lines, err := worklistRows(rows)
	if err != nil {
		t.Fatal(err)
	}
	three := 3
	want := []WorklistLine{
		{Rank: 1, Owner: "anna", CustomerID: "C1", Kind: WorkKindCall, NextAction: "call",
			DueBy: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), Score: 40, Amount: Money{1050, "EUR"},
			DaysOverdue: 12, Decision: &three, InvoiceIDs: []string{"I1", "I2"}, Reasons: []Reason{1, 6}},
		{Rank: 2, Owner: "bo\tb\\", CustomerID: "C2", Kind: WorkKindAlert, NextAction: "note",
			InvoiceIDs: []string{"I3"}, Reasons: []Reason{}},
	}
	if !reflect.DeepEqual(lines, want) {
		t.Fatalf("got %+v", lines)
	}
	for _, broken := range []string{"1\tanna\n", "x\ta\tC\t1\tn\t\t0\t0\t\t0\t\tI\t\n", "1\ta\tC\t1\tn\t2026-13-01\t0\t0\t\t0\t\tI\t\n", "no newline"} {
		if _, err := worklistRows(broken); err == nil {
			t.Fatalf("%q read without an error", broken)
		}
	}
}

func TestWorklistTextWithTabsAndBackslashesCrossesUnchanged(t *testing.T) {
	p, err := ParsePolicy([]byte("version: 1\ncurrency: {default: EUR}\nsegments: [{name: all, sequence: s}]\n"+
		"sequences:\n  s:\n    steps:\n      - {offset: 1, action: alert_owner}\n"), "policy")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	e, err := Open("", &Options{Policy: p})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	owner := "anna\tthe\\collector\nof \\41 & é"
	if _, err := e.Put(&Customer{ID: "C1", Name: "ACME", Owner: owner, Collector: owner}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Put(&Invoice{ID: "I1", CustomerID: "C1", IssueDate: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		DueDate: time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC), Amount: MustParseMoney("10.00 EUR")}); err != nil {
		t.Fatal(err)
	}
	lines, err := e.Worklist(time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) == 0 {
		t.Fatal("no worklist")
	}
	for _, l := range lines {
		if l.Owner != owner || l.InvoiceIDs[0] != "I1" {
			t.Fatalf("line %+v", l)
		}
	}
}
