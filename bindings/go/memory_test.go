package archase

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func rssBytes(t *testing.T) int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Fatal(err)
	}
	pages, _ := strconv.ParseInt(strings.Fields(string(b))[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

func oneEngine(t *testing.T, p *Policy, i int) {
	opts := &Options{Policy: p}
	if i%10 == 0 {
		opts.Storage = NewMapStorage()
	}
	e, err := Open("", opts)
	if err != nil {
		t.Fatal(err)
	}
	e.Put(&Customer{ID: "C1", Name: "ACME", Tags: []string{"a", "b"}})
	e.Put(&Invoice{ID: "I1", CustomerID: "C1", IssueDate: ymd(2026, 1, 1), DueDate: ymd(2026, 1, 31), Amount: euro("10.00")})
	if _, err := e.Put(&Invoice{ID: "I2", CustomerID: "NOPE", IssueDate: ymd(2026, 1, 1), DueDate: ymd(2026, 1, 31), Amount: euro("1.00")}); err == nil {
		t.Fatal("an unknown customer was accepted")
	}
	ev, err := e.Evaluate(ymd(2026, 3, 10), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ev.Result(); err != nil {
		t.Fatal(err)
	}
	if _, err := ev.Worklist(""); err != nil {
		t.Fatal(err)
	}
	ev.Close()
	if _, err := e.KPI(ymd(2026, 3, 1), ymd(2026, 3, 31), KPIOptions{}); err != nil {
		t.Fatal(err)
	}
	e.Close()
}

// 10,000 engines made and closed, each with facts, an evaluation, a
// worklist, KPIs and (one in ten) a Go storage: resident memory does not grow.
func TestTenThousandEnginesDoNotGrowMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 engines (the race run skips it)")
	}
	p := mustPolicy(t)
	for i := 0; i < 1000; i++ {
		oneEngine(t, p, i)
	}
	runtime.GC()
	before := rssBytes(t)
	for i := 0; i < 10000; i++ {
		oneEngine(t, p, i)
	}
	runtime.GC()
	if grown := rssBytes(t) - before; grown > 4<<20 {
		t.Fatalf("resident memory grew by %.1f MB", float64(grown)/1e6)
	}
}
