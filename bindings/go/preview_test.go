package archase

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// previewLedger is customers and invoices as native CSV, rows shuffled.
func previewLedger(seed int64, customers, invoices int) ([]byte, []byte) {
	r := rand.New(rand.NewSource(seed))
	tiers := []string{"gold", "silver", "bronze", ""}
	zones := []string{"Europe/Berlin", "America/New_York", "Asia/Tokyo", ""}
	flags := []string{"", "", "hold", "paused_until=2026-03-10", "expansion"}
	rows := make([]string, 0, customers)
	for i := 0; i < customers; i++ {
		rows = append(rows, fmt.Sprintf("C%04d,Customer %d,%s,%s,ap%d@example.com,%s", i, i,
			tiers[r.Intn(len(tiers))], zones[r.Intn(len(zones))], i, flags[r.Intn(len(flags))]))
	}
	r.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	cust := "customer_id,name,tier,timezone,email,flags\n" + strings.Join(rows, "\n") + "\n"
	rows = rows[:0]
	asOf := ymd(2026, 3, 2)
	for i := 0; i < invoices; i++ {
		issue := asOf.AddDate(0, 0, -r.Intn(160))
		due := issue.AddDate(0, 0, []int{0, 14, 30, 60}[r.Intn(4)])
		cents := 100 + r.Intn(5000000)
		rows = append(rows, fmt.Sprintf("I%05d,C%04d,%s,%s,%d.%02d,EUR", i, r.Intn(customers),
			issue.Format("2006-01-02"), due.Format("2006-01-02"), cents/100, cents%100))
	}
	r.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	inv := "invoice_id,customer_id,issue_date,due_date,amount,currency\n" + strings.Join(rows, "\n") + "\n"
	return []byte(cust), []byte(inv)
}

func examplePolicy(t *testing.T, name string) *Policy {
	t.Helper()
	root := os.Getenv("ARCHASE_SOURCE_ROOT")
	if root == "" {
		t.Fatal("ARCHASE_SOURCE_ROOT is not set (meson test sets it)")
	}
	p, err := LoadPolicy(filepath.Join(root, "examples", "policies", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// A preview decides, byte for byte, what importing the same files into an
// empty ledger and evaluating decides, and the engine's own ledger is
// neither read nor written.
func TestPreviewDecidesAsImportAndEvaluate(t *testing.T) {
	p := examplePolicy(t, "enterprise-formal.yaml")
	defer p.Close()
	cust, inv := previewLedger(5, 40, 500)
	asOf := ymd(2026, 3, 2)

	e, err := Open("", &Options{Policy: p})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Import(cust, ImportOptions{Kind: KindCustomers}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Import(inv, ImportOptions{Kind: KindInvoices}); err != nil {
		t.Fatal(err)
	}
	ev, err := e.Evaluate(asOf, nil)
	if err != nil {
		t.Fatal(err)
	}
	want, err := ev.Encode()
	if err != nil || ev.Len() < 50 {
		t.Fatal(ev.Len(), err)
	}
	ev.Close()
	e.Close()

	path := filepath.Join(t.TempDir(), "invoices.csv")
	if err := os.WriteFile(path, inv, 0o600); err != nil {
		t.Fatal(err)
	}
	e, err = Open("", &Options{Policy: p})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if _, err := e.Import([]byte("customer_id,name,flags\nC0001,Someone Else,hold\n"), ImportOptions{Kind: KindCustomers}); err != nil {
		t.Fatal(err)
	}
	before, _ := e.AuditSize()
	pv, err := e.Preview(asOf, nil, PreviewSource{Data: cust, Kind: KindCustomers}, PreviewSource{Path: path, Kind: KindInvoices})
	if err != nil {
		t.Fatal(err)
	}
	defer pv.Close()
	got, err := pv.Encode()
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("the preview decided otherwise (%d bytes against %d): %v", len(got), len(want), err)
	}
	after, _ := e.AuditSize()
	if after != before {
		t.Fatalf("the preview wrote to the audit log: %d -> %d", before, after)
	}
}

// What needs a ledger is refused: a payments file before anything is read,
// a bad row with its line and column.
func TestPreviewRefusesWhatNeedsALedger(t *testing.T) {
	p := examplePolicy(t, "smb-friendly.yaml")
	defer p.Close()
	e, err := Open("", &Options{Policy: p})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	asOf := ymd(2026, 3, 2)
	cust := PreviewSource{Data: []byte("customer_id,name\nACME,Acme GmbH\n"), Kind: KindCustomers}
	_, err = e.Preview(asOf, nil, cust, PreviewSource{Data: []byte("payment_id\n"), Kind: KindPayments})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "not payments") {
		t.Fatal(err)
	}
	bad := "invoice_id,customer_id,issue_date,due_date,amount,currency\nI1,ACME,2026-01-01,2026-01-31,1.00,EUR\nI2,NOPE,2026-01-01,2026-01-31,1.00,EUR\n"
	_, err = e.Preview(asOf, nil, cust, PreviewSource{Data: []byte(bad), Kind: KindInvoices, Source: "inv.csv"})
	var pe *ImportError
	if !errors.As(err, &pe) || len(pe.Diagnostics) != 1 || pe.Diagnostics[0].Line != 3 || pe.Diagnostics[0].Column != 2 ||
		!strings.Contains(pe.Diagnostics[0].Message, "customer 'NOPE' does not exist") {
		t.Fatalf("%#v", err)
	}
	if _, err := e.Preview(asOf, nil, PreviewSource{Data: []byte("x\n")}); !errors.Is(err, ErrInvalid) {
		t.Fatal(err)
	}
	if _, err := e.Preview(asOf, nil, PreviewSource{Path: "/nonexistent/c.csv", Kind: KindCustomers}); !errors.Is(err, ErrIO) {
		t.Fatal(err)
	}
}
