package archase

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// BenchmarkImportEvaluate is the Go side of bench/bench_bindings: the same
// work as the C side (import customers.csv and invoices.csv into memory,
// evaluate as of 2026-03-02, build the worklist and decode every line), run
// ARCHASE_BENCH_RUNS times; prints one BENCH line of JSON timings.
//
//	ARCHASE_BENCH_DIR=DIR ARCHASE_BENCH_POLICY=FILE go test -run '^$' -bench ImportEvaluate -benchtime 1x
func BenchmarkImportEvaluate(b *testing.B) {
	dir, policyPath := os.Getenv("ARCHASE_BENCH_DIR"), os.Getenv("ARCHASE_BENCH_POLICY")
	if dir == "" || policyPath == "" {
		b.Skip("set ARCHASE_BENCH_DIR and ARCHASE_BENCH_POLICY (bench/bench_bindings does)")
	}
	runs, _ := strconv.Atoi(os.Getenv("ARCHASE_BENCH_RUNS"))
	if runs < 1 {
		runs = 1
	}
	policy, err := LoadPolicy(policyPath)
	if err != nil {
		b.Fatal(err)
	}
	type result struct {
		Import   float64 `json:"import_s"`
		Evaluate float64 `json:"evaluate_s"`
		Total    float64 `json:"total_s"`
		Lines    int     `json:"worklist_lines"`
	}
	var out []result
	for r := 0; r < runs; r++ {
		t0 := time.Now()
		e, err := Open("", nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := e.ImportFile(filepath.Join(dir, "customers.csv"), ImportOptions{Kind: KindCustomers}); err != nil {
			b.Fatal(err)
		}
		if _, err := e.ImportFile(filepath.Join(dir, "invoices.csv"), ImportOptions{Kind: KindInvoices}); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		lines, err := e.Worklist(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), "", policy)
		if err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		out = append(out, result{t1.Sub(t0).Seconds(), t2.Sub(t1).Seconds(), t2.Sub(t0).Seconds(), len(lines)})
		e.Close()
	}
	j, _ := json.Marshal(map[string]any{"go": out})
	fmt.Println("BENCH " + string(j))
}
