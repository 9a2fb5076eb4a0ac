package archase

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// cpuSeconds is the process's CPU time (user + system), the Go runtime's own
// threads included, as the C and Python sides measure.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}

// BenchmarkImportEvaluate is the Go side of bench/bench_bindings: the same
// work as the C side (import customers.csv and invoices.csv into memory,
// evaluate as of 2026-03-02, build the worklist and decode every line, then
// run the day's cycle on that ledger, timed apart), run
// ARCHASE_BENCH_RUNS times; prints one BENCH line of JSON timings (CPU seconds).
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
		Cycle    float64 `json:"cycle_s"`
	}
	var out []result
	for r := 0; r < runs; r++ {
		t0 := cpuSeconds()
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
		t1 := cpuSeconds()
		asOf := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
		lines, err := e.Worklist(asOf, "", policy)
		if err != nil {
			b.Fatal(err)
		}
		t2 := cpuSeconds()
		// Then the day's cycle on the same ledger (no transport: nothing is sent).
		if _, err := e.RunCycle(asOf, policy, nil); err != nil {
			b.Fatal(err)
		}
		t3 := cpuSeconds()
		out = append(out, result{t1 - t0, t2 - t1, t2 - t0, len(lines), t3 - t2})
		e.Close()
	}
	j, _ := json.Marshal(map[string]any{"go": out})
	fmt.Println("BENCH " + string(j))
}
