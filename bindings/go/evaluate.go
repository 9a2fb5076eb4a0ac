package archase

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"time"

	"archase/internal/capi"
)

// ---- import and export ------------------------------------------------------

// ImportOptions say what a file holds and how to read it.
type ImportOptions struct {
	Kind    Kind      // what the file holds; ignored with a Mapping (it names the kinds)
	Format  Format    // 0 = CSV
	Mapping string    // a mapping file (YAML, docs/import.md) for another system's CSV
	Source  string    // the name diagnostics give ("" = the path or "<input>")
	AsOf    time.Time // the day the file was exported (mappings); zero = today
	Edits   bool      // a sheet exported from this ledger and edited by people
}

// ImportError is a refused import: every problem with its line.
// errors.Is matches it by code like any *Error.
type ImportError = PolicyError

// loadMapping loads a mapping file; a refused one is a *PolicyError.
func loadMapping(path string) (capi.Archase_mapping, error) {
	l, err := newDiags()
	if err != nil {
		return nil, err
	}
	defer capi.Archase_diag_list_free(l)
	var out uintptr
	if err := withDiags(capi.Archase_mapping_load_file(path, l, &out), "archase_mapping_load_file", l); err != nil {
		return nil, err
	}
	return capi.SwigcptrArchase_mapping(out), nil
}

func (e *Engine) importAny(o ImportOptions, path string, data []byte) (BatchSummary, error) {
	asOf, err := dateArg(o.AsOf)
	if err != nil {
		return BatchSummary{}, err
	}
	var mapping capi.Archase_mapping
	if o.Mapping != "" {
		if mapping, err = loadMapping(o.Mapping); err != nil {
			return BatchSummary{}, err
		}
		defer capi.Archase_mapping_free(mapping)
	}
	l, err := newDiags()
	if err != nil {
		return BatchSummary{}, err
	}
	defer capi.Archase_diag_list_free(l)
	s := capi.NewArchase_batch_summary()
	defer capi.DeleteArchase_batch_summary(s)
	edits := 0
	if o.Edits {
		edits = 1
	}
	var rc int
	err = e.call("archase_bind_import", func(h capi.Archase_engine) int {
		rc = capi.Archase_bind_import(h, int(o.Kind), int(o.Format), mapping, o.Source, asOf, edits, path, data, l, s)
		return 0
	})
	if err != nil {
		return BatchSummary{}, err
	}
	if err := withDiags(rc, "archase_bind_import", l); err != nil {
		return BatchSummary{}, err
	}
	return summaryOf(s), nil
}

// ImportFile imports a file in one batch: all of it or, with any problem,
// nothing (an *ImportError with every row's Diagnostics).
func (e *Engine) ImportFile(path string, o ImportOptions) (BatchSummary, error) {
	if path == "" {
		return BatchSummary{}, errorf(codeInvalid, "a path is required")
	}
	return e.importAny(o, path, nil)
}

// Import imports a file's content in one batch, as ImportFile.
func (e *Engine) Import(data []byte, o ImportOptions) (BatchSummary, error) {
	if data == nil {
		data = []byte{}
	}
	return e.importAny(o, "", data)
}

// Export writes every fact of a kind in its native format (what Import reads).
func (e *Engine) Export(kind Kind, format Format) (string, error) {
	var s string
	err := e.jsonCall("archase_bind_export", &s, func(h capi.Archase_engine, out *uintptr) int {
		return capi.Archase_bind_export(h, int(kind), int(format), out)
	})
	return s, err
}

// ---- evaluation -------------------------------------------------------------

// DecisionInvoice is one invoice a decision is about.
type DecisionInvoice struct {
	InvoiceID      string    `json:"invoice_id"`
	Number         string    `json:"number"`
	SourceLink     string    `json:"source_link"`
	DueDate        time.Time `json:"due_date"`
	DaysOverdue    int       `json:"days_overdue"`
	Amount         Money     `json:"amount"`
	OpenAmount     Money     `json:"open_amount"`
	DisputedAmount Money     `json:"disputed_amount"`
}

// Driver is one part of a risk score.
type Driver struct {
	Name   string `json:"name"`
	Points int64  `json:"points"`
}

// DecisionFact is one fact a decision used: Value is a Money, a time.Time
// (dates, as RFC 3339 text), an int64, a bool or a string by Type.
type DecisionFact struct {
	Name       string          `json:"name"`
	InvoiceID  string          `json:"invoice_id"`
	Type       ValueType       `json:"type"`
	Value      json.RawMessage `json:"value"`
	SourceLink string          `json:"source_link"`
}

// Decision is one decision of an evaluation (archase_decision in evaluate.h).
type Decision struct {
	Key          string            `json:"key"`
	Kind         DecisionKind      `json:"kind"`
	Action       Action            `json:"action"`
	CustomerID   string            `json:"customer_id"`
	Channel      Channel           `json:"channel"`
	ContactID    string            `json:"contact_id"`
	Template     string            `json:"template"`
	Tone         Tone              `json:"tone"`
	Segment      string            `json:"segment"`
	Sequence     string            `json:"sequence"`
	Step         string            `json:"step"`
	Rule         string            `json:"rule"`
	PolicyHash   string            `json:"policy_hash"`
	Score        *int              `json:"score"` // nil: not scored
	Owner        string            `json:"owner"`
	DueBy        time.Time         `json:"due_by"`
	ScheduledAt  int64             `json:"scheduled_at"`
	Timezone     string            `json:"timezone"`
	LocalDate    time.Time         `json:"local_date"`
	LocalSeconds int               `json:"local_seconds"`
	Amount       Money             `json:"amount"`
	RecoveryPlan bool              `json:"recovery_plan"`
	Approvers    int               `json:"approvers"`
	FastLane     bool              `json:"fast_lane"`
	PayloadHash  string            `json:"payload_hash"`
	Invoices     []DecisionInvoice `json:"invoices"`
	Reasons      []Reason          `json:"reasons"`
	Drivers      []Driver          `json:"drivers"`
	Facts        []DecisionFact    `json:"facts"`
	Roles        []string          `json:"roles"`
}

// Assessment is what evaluation found for one open invoice.
type Assessment struct {
	InvoiceID      string        `json:"invoice_id"`
	CustomerID     string        `json:"customer_id"`
	DaysOverdue    int           `json:"days_overdue"`
	OpenAmount     Money         `json:"open_amount"`
	DisputedAmount Money         `json:"disputed_amount"`
	Segment        string        `json:"segment"`
	Sequence       string        `json:"sequence"`
	Score          int           `json:"score"`
	Coverage       CoverageState `json:"coverage"`
	Reason         Reason        `json:"reason"`
	StepIndex      int           `json:"step_index"`
	NextStep       string        `json:"next_step"`
	NextDate       time.Time     `json:"next_date"`
	Drivers        []Driver      `json:"drivers"`
	Decisions      []int         `json:"decisions"`
}

// CadenceUpdate is an invoice's new chase state.
type CadenceUpdate struct {
	InvoiceID  string        `json:"invoice_id"`
	CustomerID string        `json:"customer_id"`
	Status     CadenceStatus `json:"status"`
	Reason     Reason        `json:"reason"`
	Sequence   string        `json:"sequence"`
	LastStep   string        `json:"last_step"`
	LastOffset *int          `json:"last_offset"`
	LastDate   time.Time     `json:"last_date"`
	NextStep   string        `json:"next_step"`
	NextDate   time.Time     `json:"next_date"`
}

// Coverage is the no-silent-drops proof: every overdue invoice in one state.
type Coverage struct {
	OpenInvoices    uint64            `json:"open_invoices"`
	OverdueInvoices uint64            `json:"overdue_invoices"`
	Unaccounted     uint64            `json:"unaccounted"`
	ByState         map[string]uint64 `json:"by_state"`
	ByReason        map[string]uint64 `json:"by_reason"`
}

// EvaluationResult is everything an evaluation decided and found.
type EvaluationResult struct {
	Hash        string          `json:"hash"` // SHA-256 of the canonical encoding, hex
	Decisions   []Decision      `json:"decisions"`
	Assessments []Assessment    `json:"assessments"`
	Cadence     []CadenceUpdate `json:"cadence"`
	Coverage    Coverage        `json:"coverage"`
}

// Evaluation is the result of one evaluation, held by the library until
// Result (decoded once, on first use) or Worklist reads it. Close releases it.
type Evaluation struct {
	AsOf time.Time

	policy *Policy
	snap   capi.Archase_snapshot
	ds     capi.Archase_decisions
	result *EvaluationResult
}

// Len is the number of decisions.
func (ev *Evaluation) Len() int {
	if ev.ds == nil {
		return 0
	}
	defer runtime.KeepAlive(ev)
	return int(capi.Archase_decisions_count(ev.ds))
}

// Result decodes the decisions, assessments, cadence updates and coverage.
func (ev *Evaluation) Result() (*EvaluationResult, error) {
	if ev.result != nil {
		return ev.result, nil
	}
	if ev.ds == nil {
		return nil, errorf(codeState, "the evaluation is closed")
	}
	var out uintptr
	if err := check(capi.Archase_bind_decisions_json(ev.ds, &out), "archase_bind_decisions_json"); err != nil {
		return nil, err
	}
	var r EvaluationResult
	if err := decode(text(out), &r); err != nil {
		return nil, err
	}
	runtime.KeepAlive(ev)
	ev.result = &r
	return ev.result, nil
}

// Evaluate decides what happens next for every open invoice as of asOf
// under policy (nil: the engine's). Nothing is stored or sent.
func (e *Engine) Evaluate(asOf time.Time, policy *Policy) (*Evaluation, error) {
	p, err := e.policyOr(policy)
	if err != nil {
		return nil, err
	}
	d, err := dateToC(asOf)
	if err != nil {
		return nil, err
	}
	var snapOut uintptr
	err = e.call("archase_bind_snapshot_load", func(h capi.Archase_engine) int {
		return capi.Archase_bind_snapshot_load(h, d, p.h, "", &snapOut)
	})
	if err != nil {
		return nil, err
	}
	return evaluationOf(capi.SwigcptrArchase_snapshot(snapOut), p, d)
}

// evaluationOf evaluates a loaded snapshot, which the evaluation then owns
// (and frees on failure).
func evaluationOf(snap capi.Archase_snapshot, p *Policy, d int32) (*Evaluation, error) {
	ev := &Evaluation{AsOf: dateFromC(d), policy: p, snap: snap}
	runtime.SetFinalizer(ev, func(ev *Evaluation) { ev.Close() })
	var dsOut uintptr
	if err := check(capi.Archase_evaluate(ev.snap, p.h, d, nil, &dsOut), "archase_evaluate"); err != nil {
		ev.Close()
		return nil, err
	}
	ev.ds = capi.SwigcptrArchase_decisions(dsOut)
	return ev, nil
}

// Close releases the evaluation (a finalizer does for a dropped one).
func (ev *Evaluation) Close() {
	if ev.ds != nil {
		capi.Archase_decisions_free(ev.ds)
		ev.ds = nil
	}
	if ev.snap != nil {
		capi.Archase_snapshot_free(ev.snap)
		ev.snap = nil
	}
}

// Encode is the canonical encoding of the whole result (docs/engine.md).
func (ev *Evaluation) Encode() ([]byte, error) {
	if ev.ds == nil {
		return nil, errorf(codeState, "the evaluation is closed")
	}
	var out uintptr
	if err := check(capi.Archase_bind_decisions_encode(ev.ds, &out), "archase_bind_decisions_encode"); err != nil {
		return nil, err
	}
	runtime.KeepAlive(ev)
	return hex.DecodeString(text(out))
}

// WorklistLine is one line of a worklist: exactly one owner, in rank order.
type WorklistLine struct {
	Rank        int       `json:"rank"`
	Owner       string    `json:"owner"`
	CustomerID  string    `json:"customer_id"`
	Kind        WorkKind  `json:"kind"`
	NextAction  string    `json:"next_action"`
	DueBy       time.Time `json:"due_by"`
	Score       int       `json:"score"`
	Amount      Money     `json:"amount"`
	DaysOverdue int       `json:"days_overdue"`
	Decision    *int      `json:"decision"` // the decision it comes from, if any
	InvoiceIDs  []string  `json:"invoice_ids"`
	Reasons     []Reason  `json:"reasons"`
}

// Worklist builds the people's side of the evaluation; owner "" = everyone's.
func (ev *Evaluation) Worklist(owner string) ([]WorklistLine, error) {
	if ev.ds == nil {
		return nil, errorf(codeState, "the evaluation is closed")
	}
	var wlOut, out uintptr
	if err := check(capi.Archase_bind_worklist_build(ev.ds, owner, &wlOut), "archase_bind_worklist_build"); err != nil {
		return nil, err
	}
	wl := capi.SwigcptrArchase_worklist(wlOut)
	defer capi.Archase_worklist_free(wl)
	if err := check(capi.Archase_bind_worklist_rows(wl, &out), "archase_bind_worklist_rows"); err != nil {
		return nil, err
	}
	lines, err := worklistRows(text(out))
	runtime.KeepAlive(ev)
	return lines, err
}

// worklistRows reads the rows of archase_bind_worklist_rows (bindings/bind.h):
// a worklist may have hundreds of thousands of lines, and splitting rows is
// several times cheaper than decoding the same lines from JSON. The lines
// are those the JSON would give (a test compares them).
func worklistRows(s string) ([]WorklistLine, error) {
	lines := make([]WorklistLine, 0, strings.Count(s, "\n"))
	dates := map[string]time.Time{"": {}}
	bad := func(row string) error {
		return errorf(codeParse, "a worklist row the package cannot read: "+strconv.Quote(row))
	}
	var f [13]string
	for len(s) > 0 {
		end := strings.IndexByte(s, '\n')
		if end < 0 {
			return nil, bad(s)
		}
		row := s[:end]
		s = s[end+1:]
		rest := row
		for k := 0; k < 12; k++ {
			tab := strings.IndexByte(rest, '\t')
			if tab < 0 {
				return nil, bad(row)
			}
			f[k], rest = rest[:tab], rest[tab+1:]
		}
		f[12] = rest
		if strings.IndexByte(row, '\\') >= 0 {
			for k := range f {
				f[k] = unescapeRow(f[k])
			}
		}
		due, ok := dates[f[5]]
		if !ok {
			t, err := time.Parse("2006-01-02", f[5])
			if err != nil {
				return nil, bad(row)
			}
			due, dates[f[5]] = t, t
		}
		rank, e1 := strconv.Atoi(f[0])
		kind, e2 := strconv.Atoi(f[3])
		score, e3 := strconv.Atoi(f[6])
		minor, e4 := strconv.ParseInt(f[7], 10, 64)
		days, e5 := strconv.Atoi(f[9])
		if e1 != nil || e2 != nil || e3 != nil || e4 != nil || e5 != nil {
			return nil, bad(row)
		}
		l := WorklistLine{Rank: rank, Owner: f[1], CustomerID: f[2], Kind: WorkKind(kind), NextAction: f[4],
			DueBy: due, Score: score, DaysOverdue: days, InvoiceIDs: []string{}, Reasons: []Reason{}}
		if f[8] != "" {
			l.Amount = Money{Minor: minor, Currency: f[8]}
		}
		if f[10] != "" {
			d, err := strconv.Atoi(f[10])
			if err != nil {
				return nil, bad(row)
			}
			l.Decision = &d
		}
		if f[11] != "" {
			l.InvoiceIDs = strings.Split(f[11], "\x1f")
		}
		if f[12] != "" {
			for _, r := range strings.Split(f[12], ",") {
				v, err := strconv.Atoi(r)
				if err != nil {
					return nil, bad(row)
				}
				l.Reasons = append(l.Reasons, Reason(v))
			}
		}
		lines = append(lines, l)
	}
	return lines, nil
}

// unescapeRow undoes a row field's escapes: a backslash and two hex digits.
func unescapeRow(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 <= len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b.WriteByte(byte(v))
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Worklist evaluates as of asOf and returns the ranked worklist.
func (e *Engine) Worklist(asOf time.Time, owner string, policy *Policy) ([]WorklistLine, error) {
	ev, err := e.Evaluate(asOf, policy)
	if err != nil {
		return nil, err
	}
	defer ev.Close()
	return ev.Worklist(owner)
}

// ---- KPIs, forecast, replay -------------------------------------------------

// KPIOptions narrow a KPI computation.
type KPIOptions struct {
	Currency  string  // "" = every currency
	By        string  // "" = one period; "week" or "month": the trend series
	Policy    *Policy // grace days and look-back; nil = the engine's (or defaults)
	GraceDays *int    // nil = the policy's
	Customers bool    // each customer's payment pattern instead
}

// KPIJSON is the JSON `archase kpi --json` writes for the same arguments
// (the same keys in the same order, compact): an array of objects, one per
// currency (and period).
func (e *Engine) KPIJSON(from, to time.Time, o KPIOptions) (string, error) {
	f, err := dateToC(from)
	if err != nil {
		return "", err
	}
	t, err := dateToC(to)
	if err != nil {
		return "", err
	}
	interval := 0
	switch o.By {
	case "":
	case "week":
		interval = int(KpiIntervalWeekly)
	case "month":
		interval = int(KpiIntervalMonthly)
	default:
		return "", errorf(codeInvalid, "By must be \"week\" or \"month\", not "+o.By)
	}
	p := o.Policy
	if p == nil {
		p = e.policy
	}
	var ph capi.Archase_policy
	if p != nil {
		ph = p.h
	}
	grace := -1
	if o.GraceDays != nil {
		grace = *o.GraceDays
	}
	customers := 0
	if o.Customers {
		customers = 1
	}
	var s string
	err = e.jsonCall("archase_bind_kpi_json", &s, func(h capi.Archase_engine, out *uintptr) int {
		return capi.Archase_bind_kpi_json(h, f, t, interval, o.Currency, ph, grace, customers, out)
	})
	runtime.KeepAlive(p)
	return s, err
}

// KPI computes every KPI of [from, to] per currency, with the keys of
// `archase kpi --json`: money as decimal strings in the currency's minor
// units ("1234.56"), days and percents as json.Number with 2 decimals,
// counts as json.Number, flags as bool, undefined figures as nil.
func (e *Engine) KPI(from, to time.Time, o KPIOptions) (map[string]map[string]any, error) {
	if o.By != "" || o.Customers {
		return nil, errorf(codeInvalid, "KPI gives one period per currency: use KPISeries or KPIJSON")
	}
	s, err := e.KPIJSON(from, to, o)
	if err != nil {
		return nil, err
	}
	var rows []map[string]any
	if err := decodeNumbers(s, &rows); err != nil {
		return nil, err
	}
	out := make(map[string]map[string]any, len(rows))
	for _, r := range rows {
		out[r["currency"].(string)] = r
	}
	return out, nil
}

// KPISeries is the trend series (o.By "week" or "month"): rows in order.
func (e *Engine) KPISeries(from, to time.Time, o KPIOptions) ([]map[string]any, error) {
	if o.By == "" {
		return nil, errorf(codeInvalid, "KPISeries needs By \"week\" or \"month\"")
	}
	s, err := e.KPIJSON(from, to, o)
	if err != nil {
		return nil, err
	}
	var rows []map[string]any
	return rows, decodeNumbers(s, &rows)
}

func decodeNumbers(s string, v any) error {
	d := json.NewDecoder(stringsReader(s))
	d.UseNumber()
	return d.Decode(v)
}

// ForecastOptions narrow a cash forecast.
type ForecastOptions struct {
	Currency         string
	Weeks            uint32 // 0 = 13
	Policy           *Policy
	DiscountDisputed uint32 // 0 = disputed amounts are not expected; else expected at this percent
}

// ForecastWeek is one week of a forecast row.
type ForecastWeek struct {
	Week               int       `json:"week"`
	From               time.Time `json:"from"`
	To                 time.Time `json:"to"`
	Expected           Money     `json:"expected"`
	FromPatterns       Money     `json:"from_patterns"`
	FromPromises       Money     `json:"from_promises"`
	FromDisputed       Money     `json:"from_disputed"`
	Invoices           int       `json:"invoices"`
	Promises           int       `json:"promises"`
	BacktestMAE        Money     `json:"backtest_mae"`
	BacktestMeanActual Money     `json:"backtest_mean_actual"`
	Drivers            []struct {
		Kind       ForecastDriverKind `json:"kind"`
		ID         string             `json:"id"`
		CustomerID string             `json:"customer_id"`
		ExpectedOn time.Time          `json:"expected_on"`
		Amount     Money              `json:"amount"`
	} `json:"drivers"`
}

// ForecastRow is the forecast of one currency.
type ForecastRow struct {
	Currency           string         `json:"currency"`
	AsOf               time.Time      `json:"as_of"`
	Weeks              int            `json:"weeks"`
	OpenAR             Money          `json:"open_ar"`
	Expected           Money          `json:"expected"`
	Beyond             Money          `json:"beyond"`
	Doubtful           Money          `json:"doubtful"`
	DisputedLeftOut    Money          `json:"disputed_left_out"`
	PromisesUnkept     Money          `json:"promises_unkept"`
	BacktestOrigins    int            `json:"backtest_origins"`
	BacktestMAE        Money          `json:"backtest_mae"`
	BacktestMAEPercent *json.Number   `json:"backtest_mae_percent"`
	Detail             []ForecastWeek `json:"weeks_detail"`
}

// Forecast is the cash forecast per currency, week by week.
func (e *Engine) Forecast(asOf time.Time, o ForecastOptions) ([]ForecastRow, error) {
	d, err := dateToC(asOf)
	if err != nil {
		return nil, err
	}
	p := o.Policy
	if p == nil {
		p = e.policy
	}
	var ph capi.Archase_policy
	if p != nil {
		ph = p.h
	}
	disputed := 0
	if o.DiscountDisputed > 0 {
		disputed = 1
	}
	var rows []ForecastRow
	err = e.jsonCall("archase_bind_forecast_json", &rows, func(h capi.Archase_engine, out *uintptr) int {
		return capi.Archase_bind_forecast_json(h, d, o.Currency, ph, uint(o.Weeks), disputed, uint(o.DiscountDisputed), out)
	})
	runtime.KeepAlive(p)
	return rows, err
}

// ReplayDay is one day of a replay.
type ReplayDay struct {
	Date          time.Time `json:"date"`
	OpenInvoices  uint64    `json:"open_invoices"`
	Decisions     uint64    `json:"decisions"`
	Messages      uint64    `json:"messages"`
	Calls         uint64    `json:"calls"`
	Escalations   uint64    `json:"escalations"`
	Approvals     uint64    `json:"approvals"`
	DecisionsHash string    `json:"decisions_hash"`
}

// Replay is a policy re-run day by day over the ledger's history.
type Replay struct {
	Summary struct {
		From          time.Time    `json:"from"`
		To            time.Time    `json:"to"`
		Days          int          `json:"days"`
		Decisions     uint64       `json:"decisions"`
		Messages      uint64       `json:"messages"`
		Calls         uint64       `json:"calls"`
		Escalations   uint64       `json:"escalations"`
		Approvals     uint64       `json:"approvals"`
		AUCPercent    *json.Number `json:"auc_percent"`
		DecisionsHash string       `json:"decisions_hash"`
	} `json:"summary"`
	Days     []ReplayDay `json:"days"`
	Messages int         `json:"messages"`
}

// Replay re-runs policy (nil: the engine's) over [from, to].
func (e *Engine) Replay(from, to time.Time, policy *Policy) (*Replay, error) {
	p, err := e.policyOr(policy)
	if err != nil {
		return nil, err
	}
	f, err := dateToC(from)
	if err != nil {
		return nil, err
	}
	t, err := dateToC(to)
	if err != nil {
		return nil, err
	}
	var r Replay
	err = e.jsonCall("archase_bind_replay_json", &r, func(h capi.Archase_engine, out *uintptr) int {
		return capi.Archase_bind_replay_json(h, p.h, f, t, 0, out)
	})
	runtime.KeepAlive(p)
	return &r, err
}

// ---- previews -------------------------------------------------------------------

// PreviewSource is one file of a preview: a path, or its content in Data,
// with what it holds and how to read it, as for ImportFile.
type PreviewSource struct {
	Path    string
	Data    []byte
	Kind    Kind      // what the file holds; ignored with a Mapping (it names the kinds)
	Format  Format    // 0 = CSV
	Mapping string    // a mapping file (YAML, docs/import.md) for another system's CSV
	Source  string    // the name diagnostics give ("" = the path or "<input>")
	AsOf    time.Time // the day the file was exported (a mapping's amounts due); zero = today
}

// Preview is what policy (nil: the engine's) would decide on exported files,
// without importing them: the decisions of importing the sources, in order,
// into an empty ledger and evaluating as of asOf, made without a store, an
// audit log or any write (archase_snapshot_preview, docs/engine.md
// "Previews"). A preview takes customers, contacts, flags and invoices; a
// row that needs stored state (a payment, a promise, a dispute, a note) is
// refused with its file, line and column, as a bad row is (an
// *ImportError with every row's Diagnostics). The engine's own ledger is
// neither read nor written.
func (e *Engine) Preview(asOf time.Time, policy *Policy, sources ...PreviewSource) (*Evaluation, error) {
	p, err := e.policyOr(policy)
	if err != nil {
		return nil, err
	}
	d, err := dateToC(asOf)
	if err != nil {
		return nil, err
	}
	var pvOut uintptr
	if err := check(capi.Archase_bind_preview_new(&pvOut), "archase_bind_preview_new"); err != nil {
		return nil, err
	}
	pv := capi.SwigcptrArchase_bind_preview(pvOut)
	defer capi.Archase_bind_preview_free(pv)
	for i, s := range sources {
		if s.Kind == 0 && s.Mapping == "" {
			return nil, errorf(codeInvalid, fmt.Sprintf("preview source %d: say what it holds (Kind or Mapping)", i+1))
		}
		if (s.Path == "") == (s.Data == nil) {
			return nil, errorf(codeInvalid, fmt.Sprintf("preview source %d: give a Path or Data, not both", i+1))
		}
		sourceAsOf, err := dateArg(s.AsOf)
		if err != nil {
			return nil, err
		}
		var mapping capi.Archase_mapping
		if s.Mapping != "" {
			if mapping, err = loadMapping(s.Mapping); err != nil {
				return nil, err
			}
			defer capi.Archase_mapping_free(mapping)
		}
		data := s.Data
		if s.Path != "" {
			data = []byte{}
		}
		if err := check(capi.Archase_bind_preview_add(pv, int(s.Kind), int(s.Format), mapping, s.Source, sourceAsOf,
			s.Path, data), "archase_bind_preview_add"); err != nil {
			return nil, err
		}
	}
	l, err := newDiags()
	if err != nil {
		return nil, err
	}
	defer capi.Archase_diag_list_free(l)
	var rc int
	var snapOut uintptr
	err = e.call("archase_snapshot_preview", func(h capi.Archase_engine) int {
		rc = capi.Archase_bind_preview_run(pv, h, d, p.h, "", l, &snapOut)
		if capi.Archase_diag_list_count(l) > 0 {
			return 0 // the rows' problems make the error below
		}
		return rc
	})
	if err != nil {
		return nil, err
	}
	if err := withDiags(rc, "archase_snapshot_preview", l); err != nil {
		return nil, err
	}
	return evaluationOf(capi.SwigcptrArchase_snapshot(snapOut), p, d)
}
