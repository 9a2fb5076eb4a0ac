// A vendor embedding archase in its own Go product: the ledger lives in the
// vendor's own store (here a map, through archase.MapStorage), messages go
// out through the vendor's own transport (here one that logs), and the
// vendor runs the daily cycle and reads the worklist.
//
//	cd examples/go && go run . -policy ../policies/smb-friendly.yaml
//
// go.mod points at the module the build assembles (build/bindings/go/archase);
// build the project first. Exits 1 when nothing went out or the audit log
// does not verify.
package main

import (
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	"archase"
)

// meteredStore is the vendor's store: records in maps, every write counted.
type meteredStore struct {
	*archase.MapStorage
	writes int
}

func (s *meteredStore) Put(r archase.Record) error {
	s.writes++
	return s.MapStorage.Put(r)
}

// loggingTransport "sends" by logging, and remembers what it sent so that
// the engine can ask about a message in doubt.
type loggingTransport struct {
	log  *log.Logger
	sent map[string]bool
}

func (t *loggingTransport) Send(m archase.Message) (archase.SendResult, string, error) {
	if len(t.sent) < 3 {
		t.log.Printf("%s to %s: %q (%s)", archase.Channel(m.Channel), m.Address, m.Subject,
			archase.Money{Minor: m.AmountMinor, Currency: m.Currency})
	}
	t.sent[m.IdempotencyKey] = true
	return archase.SendResultSent, "logged", nil
}

func (t *loggingTransport) Lookup(key string) (archase.LookupResult, error) {
	if t.sent[key] {
		return archase.LookupResultSent, nil
	}
	return archase.LookupResultNotSent, nil
}

func (t *loggingTransport) Close() error { return nil }

func main() {
	policyPath := flag.String("policy", "../policies/smb-friendly.yaml", "the collection policy")
	data := flag.String("data", "../data", "the example ledger's CSV files")
	asOfText := flag.String("as-of", "2026-03-31", "the day to run")
	flag.Parse()
	if err := run(*policyPath, *data, *asOfText); err != nil {
		fmt.Fprintln(os.Stderr, "chase:", err)
		os.Exit(1)
	}
}

func run(policyPath, data, asOfText string) error {
	asOf, err := archase.ParseDate(asOfText)
	if err != nil {
		return err
	}
	policy, err := archase.LoadPolicy(policyPath)
	var pe *archase.PolicyError
	if errors.As(err, &pe) {
		for _, d := range pe.Diagnostics {
			fmt.Fprintln(os.Stderr, d)
		}
	}
	if err != nil {
		return err
	}
	defer policy.Close()

	store := &meteredStore{MapStorage: archase.NewMapStorage()}
	eng, err := archase.Open("", &archase.Options{Storage: store, Policy: policy, Actor: "vendor-app",
		Now: asOf.Add(9 * time.Hour)})
	if err != nil {
		return err
	}
	defer eng.Close()

	for _, kind := range []archase.Kind{archase.KindCustomers, archase.KindInvoices, archase.KindPayments} {
		name := map[archase.Kind]string{archase.KindCustomers: "customers", archase.KindInvoices: "invoices",
			archase.KindPayments: "payments"}[kind]
		s, err := eng.ImportFile(data+"/"+name+".csv", archase.ImportOptions{Kind: kind, AsOf: asOf})
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		fmt.Printf("imported %-9s %5d\n", name, s.Inserted)
	}

	transport := &loggingTransport{log: log.New(os.Stdout, "  transport: ", 0), sent: map[string]bool{}}
	if err := eng.SetTransport(transport); err != nil {
		return err
	}
	report, err := eng.RunCycle(asOf, nil, nil)
	if err != nil {
		return err
	}
	fmt.Printf("cycle %s: %d decisions, %d sent; the store took %d writes, holds %d invoices\n",
		asOf.Format(time.DateOnly), report.Decisions, report.Dispatch.Sent, store.writes,
		store.Len(archase.FamilyInvoice))

	lines, err := eng.Worklist(asOf, "", nil)
	if err != nil {
		return err
	}
	for _, l := range lines[:min(5, len(lines))] {
		fmt.Printf("  %2d %-8s %-8s %-15s %s\n", l.Rank, l.Owner, l.CustomerID, l.NextAction, l.Amount)
	}
	audit, err := eng.AuditVerify()
	if err != nil {
		return err
	}
	if report.Dispatch.Sent == 0 || len(transport.sent) == 0 || !audit.Verified || len(lines) == 0 {
		return fmt.Errorf("nothing went out, or the audit log does not verify: %s", audit.Message)
	}
	fmt.Println("audit:", audit.Message)
	return nil
}
