package archase

// The scenarios of tests/scenarios (the C scenario test's stories) run
// through the Go module: the same facts each day, the same decisions
// expected (every one listed, nothing else unless `others: allowed`), the
// same coverage and cadence states and worklist lines, the day persisted by
// the daily cycle without dispatch before the next; in scenarios with
// `lifecycle: true`, the day's promise, dispute and reconciliation moves as
// well. The files are read as tests/test_scenarios.c reads them: every value
// is text, compared with the library's own formatting of what was decided.
//
// The module needs no other module, so the YAML the scenario files are
// written in (block mappings and sequences, flow collections that may span
// lines, quoted and plain scalars, `|` and `>` block scalars, comments) is
// read by the small reader below.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// ---- a reader for the YAML of the scenario files ------------------------------

type ynode struct {
	line  int
	text  string // a scalar's text
	null  bool   // a scalar that is null (~, null or nothing)
	isMap bool
	isSeq bool
	keys  []string
	vals  []*ynode
	items []*ynode
}

func (n *ynode) get(key string) *ynode {
	if n == nil || !n.isMap {
		return nil
	}
	for i, k := range n.keys {
		if k == key {
			return n.vals[i]
		}
	}
	return nil
}

// str is the text of a key's scalar; ok false when absent, null or not a scalar.
func (n *ynode) str(key string) (string, bool) {
	v := n.get(key)
	if v == nil || v.isMap || v.isSeq || v.null {
		return "", false
	}
	return v.text, true
}

func (n *ynode) textOr(key, dflt string) string {
	if s, ok := n.str(key); ok {
		return s
	}
	return dflt
}

func (n *ynode) flag(key string, dflt bool) bool {
	if s, ok := n.str(key); ok {
		return s == "true"
	}
	return dflt
}

// names is a list of names, or one name.
func (n *ynode) names(key string) []string {
	v := n.get(key)
	switch {
	case v == nil:
		return nil
	case v.isSeq:
		var out []string
		for _, it := range v.items {
			if !it.isMap && !it.isSeq {
				out = append(out, it.text)
			}
		}
		return out
	case v.isMap:
		return nil
	}
	return []string{v.text}
}

type yreader struct {
	raw  []string
	path string
}

func indentOf(s string) int {
	return len(s) - len(strings.TrimLeft(s, " "))
}

// stripComment drops a comment (a # at the start or after a blank, outside quotes).
func stripComment(s string) string {
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' && quote == '"' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			if i == 0 || strings.ContainsRune(" \t{[,:", rune(s[i-1])) {
				quote = c
			}
		case c == '#' && (i == 0 || s[i-1] == ' ' || s[i-1] == '\t'):
			return strings.TrimRight(s[:i], " \t")
		}
	}
	return strings.TrimRight(s, " \t")
}

// next is the first line from i on with content, or len(raw).
func (r *yreader) next(i int) int {
	for i < len(r.raw) && strings.TrimSpace(stripComment(r.raw[i])) == "" {
		i++
	}
	return i
}

func (r *yreader) fail(i int, format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", r.path, i+1, fmt.Sprintf(format, args...))
}

func isSeqLine(s string) bool {
	t := strings.TrimLeft(s, " ")
	return t == "-" || strings.HasPrefix(t, "- ")
}

// splitKey splits "key: rest" / "key:"; ok false when the line is no mapping entry.
func splitKey(s string) (key, rest string, ok bool) {
	if strings.HasPrefix(s, "\"") || strings.HasPrefix(s, "'") {
		end := strings.IndexByte(s[1:], s[0])
		if end < 0 {
			return "", "", false
		}
		key, s = s[1:end+1], s[end+2:]
		if s == ":" || strings.HasPrefix(s, ": ") {
			return key, strings.TrimSpace(s[1:]), true
		}
		return "", "", false
	}
	if i := strings.Index(s, ": "); i > 0 {
		return s[:i], strings.TrimSpace(s[i+2:]), true
	}
	if strings.HasSuffix(s, ":") {
		return s[:len(s)-1], "", true
	}
	return "", "", false
}

func scalar(text string, line int) *ynode {
	t := strings.TrimSpace(text)
	n := &ynode{line: line}
	switch {
	case t == "" || t == "~" || t == "null":
		n.null = true
	case len(t) >= 2 && t[0] == '"' && t[len(t)-1] == '"':
		if s, err := strconv.Unquote(t); err == nil {
			n.text = s
		} else {
			n.text = t[1 : len(t)-1]
		}
	case len(t) >= 2 && t[0] == '\'' && t[len(t)-1] == '\'':
		n.text = strings.ReplaceAll(t[1:len(t)-1], "''", "'")
	default:
		n.text = t
	}
	return n
}

// flow reads a flow collection or scalar from s at *pos.
func flow(s string, pos *int, line int) (*ynode, error) {
	skip := func() {
		for *pos < len(s) && s[*pos] == ' ' {
			*pos++
		}
	}
	skip()
	if *pos >= len(s) {
		return scalar("", line), nil
	}
	switch s[*pos] {
	case '{', '[':
		open, isMap := s[*pos], s[*pos] == '{'
		close := byte(']')
		if isMap {
			close = '}'
		}
		*pos++
		n := &ynode{line: line, isMap: isMap, isSeq: !isMap}
		for {
			skip()
			if *pos < len(s) && s[*pos] == close {
				*pos++
				return n, nil
			}
			if *pos >= len(s) {
				return nil, fmt.Errorf("line %d: unclosed %c", line, open)
			}
			if isMap {
				start := *pos
				for *pos < len(s) && s[*pos] != ':' && s[*pos] != ',' && s[*pos] != close {
					*pos++
				}
				key := scalar(s[start:*pos], line).text
				var v *ynode
				if *pos < len(s) && s[*pos] == ':' {
					*pos++
					var err error
					if v, err = flow(s, pos, line); err != nil {
						return nil, err
					}
				} else {
					v = scalar("", line)
				}
				n.keys, n.vals = append(n.keys, key), append(n.vals, v)
			} else {
				v, err := flow(s, pos, line)
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, v)
			}
			skip()
			if *pos < len(s) && s[*pos] == ',' {
				*pos++
			}
		}
	case '"', '\'':
		q := s[*pos]
		end := *pos + 1
		for end < len(s) && s[end] != q {
			if s[end] == '\\' && q == '"' {
				end++
			}
			end++
		}
		if end >= len(s) {
			return nil, fmt.Errorf("line %d: unclosed quote", line)
		}
		n := scalar(s[*pos:end+1], line)
		*pos = end + 1
		return n, nil
	}
	start := *pos
	for *pos < len(s) && s[*pos] != ',' && s[*pos] != '}' && s[*pos] != ']' {
		*pos++
	}
	return scalar(s[start:*pos], line), nil
}

func balanced(s string) bool {
	depth := 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' && quote == '"' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
		}
	}
	return depth <= 0
}

// value reads what follows "key:" or "- " on line i (rest), and the lines
// under it; returns the node and the next line to read.
func (r *yreader) value(rest string, i, indent int) (*ynode, int, error) {
	switch {
	case rest == "":
		j := r.next(i + 1)
		if j < len(r.raw) {
			in := indentOf(r.raw[j])
			if in > indent || (in == indent && isSeqLine(r.raw[j])) {
				return r.block(j, in)
			}
		}
		return scalar("", i+1), i + 1, nil
	case rest[0] == '|' || rest[0] == '>':
		var lines []string
		j := i + 1
		blockIndent := -1
		for ; j < len(r.raw); j++ {
			l := r.raw[j]
			if strings.TrimSpace(l) == "" {
				lines = append(lines, "")
				continue
			}
			if indentOf(l) <= indent {
				break
			}
			if blockIndent < 0 {
				blockIndent = indentOf(l)
			}
			lines = append(lines, l[min(blockIndent, indentOf(l)):])
		}
		for len(lines) > 0 && lines[len(lines)-1] == "" {
			lines = lines[:len(lines)-1]
		}
		var text string
		if rest[0] == '|' {
			text = strings.Join(lines, "\n")
		} else {
			text = strings.Join(strings.Fields(strings.Join(lines, " ")), " ")
		}
		if !strings.HasSuffix(rest, "-") {
			text += "\n"
		}
		return &ynode{line: i + 1, text: text}, j, nil
	case rest[0] == '{' || rest[0] == '[':
		j := i + 1
		for !balanced(rest) && j < len(r.raw) {
			rest += " " + strings.TrimSpace(stripComment(r.raw[j]))
			j++
		}
		pos := 0
		n, err := flow(rest, &pos, i+1)
		if err != nil {
			return nil, 0, r.fail(i, "%v", err)
		}
		return n, j, nil
	}
	return scalar(rest, i+1), i + 1, nil
}

// block reads the mapping or sequence whose entries start at column indent on line i.
func (r *yreader) block(i, indent int) (*ynode, int, error) {
	n := &ynode{line: i + 1}
	for i = r.next(i); i < len(r.raw); i = r.next(i) {
		line := stripComment(r.raw[i])
		if indentOf(line) != indent {
			if indentOf(line) > indent {
				return nil, 0, r.fail(i, "unexpected indentation")
			}
			break
		}
		body := line[indent:]
		if isSeqLine(line) {
			if n.isMap {
				break // a sequence under a key at the key's own column ended the mapping
			}
			n.isSeq = true
			rest := strings.TrimSpace(body[1:])
			var item *ynode
			var err error
			if _, _, isKey := splitKey(rest); isKey && rest[0] != '{' && rest[0] != '[' {
				// "- key: value" starts a mapping at the column after the dash.
				r.raw[i] = strings.Repeat(" ", indent+1) + body[1:]
				item, i, err = r.block(i, indentOf(r.raw[i]))
			} else {
				item, i, err = r.value(rest, i, indent)
			}
			if err != nil {
				return nil, 0, err
			}
			n.items = append(n.items, item)
			continue
		}
		if n.isSeq {
			break
		}
		key, rest, ok := splitKey(body)
		if !ok {
			return nil, 0, r.fail(i, "expected 'key: value', found %q", body)
		}
		n.isMap = true
		v, j, err := r.value(rest, i, indent)
		if err != nil {
			return nil, 0, err
		}
		v.line = i + 1
		n.keys, n.vals = append(n.keys, key), append(n.vals, v)
		i = j
	}
	return n, i, nil
}

func readYAML(path string) (*ynode, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	r := &yreader{raw: strings.Split(strings.ReplaceAll(string(data), "\t", "    "), "\n"), path: path}
	first := r.next(0)
	if first == len(r.raw) {
		return nil, fmt.Errorf("%s: empty", path)
	}
	root, end, err := r.block(first, indentOf(r.raw[first]))
	if err != nil {
		return nil, err
	}
	if end = r.next(end); end < len(r.raw) {
		return nil, r.fail(end, "not read: %q", r.raw[end])
	}
	return root, nil
}

func TestScenarioReaderReadsWhatTheFilesUse(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.yaml")
	text := "name: A \"story\" # a comment\n" +
		"description: >\n  two\n  lines\n" +
		"policy: |\n  a: 1\n  b: \"# kept\"\n\n" +
		"days:\n- date: 2026-03-09\n  expect:\n    - {kind: send_message, invoices: [A, 'B'],\n       at: 2026-03-05T13:00:00Z, local: 2026-03-10 09:00}\n" +
		"    - kind: wait\n      facts: {days: 14}\n  coverage: {A: active/step_due}\n  empty:\n"
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	root, err := readYAML(path)
	if err != nil {
		t.Fatal(err)
	}
	if root.textOr("name", "") != `A "story"` || root.textOr("description", "") != "two lines\n" ||
		root.textOr("policy", "") != "a: 1\nb: \"# kept\"\n" {
		t.Fatalf("scalars: %q %q %q", root.textOr("name", ""), root.textOr("description", ""), root.textOr("policy", ""))
	}
	days := root.get("days")
	if days == nil || !days.isSeq || len(days.items) != 1 {
		t.Fatalf("days: %+v", days)
	}
	day := days.items[0]
	exp := day.get("expect")
	if day.textOr("date", "") != "2026-03-09" || exp == nil || len(exp.items) != 2 {
		t.Fatalf("day: %+v", day)
	}
	e := exp.items[0]
	if got := strings.Join(e.names("invoices"), ","); got != "A,B" || e.textOr("at", "") != "2026-03-05T13:00:00Z" ||
		e.textOr("local", "") != "2026-03-10 09:00" {
		t.Fatalf("flow mapping: %q %q %q", got, e.textOr("at", ""), e.textOr("local", ""))
	}
	if exp.items[1].textOr("kind", "") != "wait" || exp.items[1].get("facts").textOr("days", "") != "14" {
		t.Fatalf("block mapping in a sequence: %+v", exp.items[1])
	}
	if day.get("coverage").textOr("A", "") != "active/step_due" {
		t.Fatal("coverage")
	}
	if _, ok := day.str("empty"); ok || day.get("empty") == nil {
		t.Fatal("a key with nothing is null")
	}
}

// ---- running a scenario ---------------------------------------------------------

type scenario struct {
	t      *testing.T
	root   *ynode
	dir    string
	policy *Policy
	eng    *Engine
	today  time.Time
}

func (s *scenario) date(n *ynode, key string, dflt time.Time) time.Time {
	v, ok := n.str(key)
	if !ok {
		return dflt
	}
	d, err := ParseDate(v)
	if err != nil {
		s.t.Fatalf("line %d: %s: %q is not a date", n.line, key, v)
	}
	return d
}

func (s *scenario) money(n *ynode, key string) Money {
	v, ok := n.str(key)
	if !ok {
		return Money{}
	}
	m, err := ParseMoney(v)
	if err != nil {
		s.t.Fatalf("line %d: %s: %q is not an amount", n.line, key, v)
	}
	return m
}

func (s *scenario) integer(n *ynode, key string) int64 {
	v, ok := n.str(key)
	if !ok {
		return 0
	}
	i, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		s.t.Fatalf("line %d: %s: %q is not a number", n.line, key, v)
	}
	return i
}

// enumByName finds the value of an enum whose String() is name.
func enumByName[T interface {
	~int
	String() string
}](name string) (T, bool) {
	for v := T(0); v < 128; v++ {
		if v.String() == name {
			return v, true
		}
	}
	return 0, false
}

func (s *scenario) put(n *ynode, f Fact) {
	if _, err := s.eng.Put(f); err != nil {
		s.t.Fatalf("line %d: %s refused: %v", n.line, f.Family(), err)
	}
}

func (s *scenario) addFact(kind string, n *ynode) {
	id := n.textOr("id", "")
	switch kind {
	case "customers":
		s.put(n, &Customer{ID: id, Name: n.textOr("name", id), Tier: n.textOr("tier", ""),
			Owner: n.textOr("owner", ""), Collector: n.textOr("collector", ""), Timezone: n.textOr("timezone", ""),
			Locale: n.textOr("locale", ""), Country: n.textOr("country", ""), Revision: s.integer(n, "revision"),
			CreditLimit: s.money(n, "credit_limit")})
	case "contacts":
		ch, ok := enumByName[Channel](n.textOr("channel", "email"))
		if !ok {
			s.t.Fatalf("line %d: unknown channel %q", n.line, n.textOr("channel", ""))
		}
		s.put(n, &Contact{ID: id, CustomerID: n.textOr("customer", ""), Channel: ch,
			Address: n.textOr("address", "someone@example.com"), Consent: n.flag("consent", true),
			Primary: n.flag("primary", false)})
	case "flags":
		s.put(n, &CustomerFlags{CustomerID: n.textOr("customer", ""), Hold: n.flag("hold", false),
			Expansion: n.flag("expansion", false), Strategic: n.flag("strategic", false),
			ServiceIssue: n.flag("service_issue", false), Reason: n.textOr("reason", ""),
			Revision: s.integer(n, "revision"), PausedUntil: s.date(n, "paused_until", time.Time{})})
	case "invoices":
		due := s.date(n, "due", time.Time{})
		s.put(n, &Invoice{ID: id, CustomerID: n.textOr("customer", ""), Number: n.textOr("number", id),
			PORef: n.textOr("po", ""), SourceLink: n.textOr("link", ""), DueDate: due,
			IssueDate: s.date(n, "issued", due.AddDate(0, 0, -30)), Amount: s.money(n, "amount")})
	case "payments":
		inv, customer := n.textOr("invoice", ""), n.textOr("customer", "")
		if customer == "" && inv != "" {
			if f, err := s.eng.Get(FamilyInvoice, inv); err == nil {
				customer = f.(*Invoice).CustomerID
			}
		}
		var kind PaymentKind
		if k, ok := n.str("kind"); ok {
			var found bool
			if kind, found = enumByName[PaymentKind](k); !found {
				s.t.Fatalf("line %d: unknown payment kind %q", n.line, k)
			}
		}
		s.put(n, &Payment{ID: id, CustomerID: customer, InvoiceID: inv, Kind: kind,
			Date: s.date(n, "date", s.today), Amount: s.money(n, "amount"), Reference: n.textOr("reference", ""),
			Overpayment: n.flag("overpayment", false)})
	case "promises":
		p := &Promise{ID: id, CustomerID: n.textOr("customer", ""), InvoiceIDs: n.names("invoices"),
			TakenBy: n.textOr("taken_by", ""), Amount: s.money(n, "amount"),
			PromisedDate: s.date(n, "date", time.Time{}), RecordedOn: s.date(n, "recorded", s.today)}
		if _, ok := n.str("grace_days"); ok {
			g := int32(s.integer(n, "grace_days"))
			p.GraceDays = &g
		}
		if inst := n.get("instalments"); inst != nil {
			for _, i := range inst.items {
				p.Instalments = append(p.Instalments, Instalment{Date: s.date(i, "date", time.Time{}),
					Amount: s.money(i, "amount")})
			}
		}
		s.put(n, p)
	case "disputes":
		d := &Dispute{ID: id, CustomerID: n.textOr("customer", ""), InvoiceIDs: n.names("invoices"),
			ReasonCode: n.textOr("reason", "other"), Owner: n.textOr("owner", ""),
			RootCause: n.textOr("root_cause", ""), Revision: s.integer(n, "revision"), Amount: s.money(n, "amount"),
			OpenedOn: s.date(n, "opened", s.today), ResolvedOn: s.date(n, "resolved", time.Time{})}
		if n.textOr("status", "") == "resolved" {
			d.Status, d.Resolution = DisputeStatusResolved, ResolutionRejected
		}
		s.put(n, d)
	case "notes":
		s.put(n, &Note{ID: id, CustomerID: n.textOr("customer", ""), InvoiceID: n.textOr("invoice", ""),
			Author: n.textOr("author", ""), Text: n.textOr("text", ""), At: s.today.Add(12 * time.Hour)})
	case "dispute_resolutions":
		res, ok := enumByName[Resolution](n.textOr("resolution", ""))
		if !ok {
			s.t.Fatalf("line %d: unknown resolution %q", n.line, n.textOr("resolution", ""))
		}
		o := DisputeOutcome{Resolution: res, RootCause: n.textOr("root_cause", ""), By: n.textOr("by", "owner")}
		if _, ok := n.str("credit"); ok {
			o.Credited = s.money(n, "credit")
		}
		_, pending, err := s.eng.ResolveDispute(id, o, s.today, nil)
		if err != nil {
			s.t.Fatalf("line %d: resolving dispute %s: %v", n.line, id, err)
		}
		if pending != n.flag("pending", false) {
			s.t.Fatalf("line %d: dispute %s: pending is %v", n.line, id, pending)
		}
	default:
		s.t.Fatalf("line %d: unknown kind of fact %q", n.line, kind)
	}
}

// addFacts adds every fact under `facts` (a mapping of kind to a list), in the file's order.
func (s *scenario) addFacts(facts *ynode) {
	if facts == nil {
		return
	}
	for i, kind := range facts.keys {
		for _, item := range facts.vals[i].items {
			s.addFact(kind, item)
		}
	}
}

// ---- checking a day -----------------------------------------------------------------

func factText(f DecisionFact) string {
	var v any
	switch f.Type {
	case ValueTypeMoney:
		var m Money
		if json.Unmarshal(f.Value, &m) == nil {
			return m.String()
		}
	case ValueTypeDate:
		var d time.Time
		if json.Unmarshal(f.Value, &d) == nil {
			return d.Format("2006-01-02")
		}
	case ValueTypeBool, ValueTypeText:
		if json.Unmarshal(f.Value, &v) == nil {
			return fmt.Sprint(v)
		}
	}
	return string(f.Value)
}

func dateText(d time.Time) string {
	if d.IsZero() {
		return ""
	}
	return d.Format("2006-01-02")
}

func describe(d Decision) string {
	var ids, reasons []string
	for _, i := range d.Invoices {
		ids = append(ids, i.InvoiceID)
	}
	for _, r := range d.Reasons {
		reasons = append(reasons, r.String())
	}
	return fmt.Sprintf("%s %s [%s] %s template=%s tone=%s rule=%s owner=%s at=%s amount=%s reasons=%s",
		d.Kind, d.CustomerID, strings.Join(ids, " "), d.Channel, d.Template, d.Tone, d.Rule, d.Owner,
		time.Unix(d.ScheduledAt, 0).UTC().Format(time.RFC3339), d.Amount, strings.Join(reasons, ","))
}

// decisionMatches says whether decision d is what e describes (tests/test_scenarios.c: matches).
func decisionMatches(d Decision, e *ynode) bool {
	same := func(key, have string) bool {
		want, ok := e.str(key)
		return !ok || (have != "" && want == have)
	}
	if !same("kind", d.Kind.String()) || !same("customer", d.CustomerID) || !same("template", d.Template) ||
		!same("step", d.Step) || !same("rule", d.Rule) || !same("owner", d.Owner) || !same("contact", d.ContactID) {
		return false
	}
	if tone, ok := e.str("tone"); ok && (d.Tone == 0 || tone != d.Tone.String()) {
		return false
	}
	if ch, ok := e.str("channel"); ok && ch != d.Channel.String() {
		return false
	}
	if e.get("invoices") != nil {
		want := e.names("invoices")
		var have []string
		for _, i := range d.Invoices {
			have = append(have, i.InvoiceID)
		}
		sort.Strings(want)
		sort.Strings(have)
		if strings.Join(want, "\x00") != strings.Join(have, "\x00") {
			return false
		}
	}
	reasons := map[string]bool{}
	for _, r := range d.Reasons {
		reasons[r.String()] = true
	}
	for _, r := range e.names("reasons") {
		if !reasons[r] {
			return false
		}
	}
	for _, r := range e.names("not_reasons") {
		if reasons[r] {
			return false
		}
	}
	roles := map[string]bool{}
	for _, r := range d.Roles {
		roles[r] = true
	}
	for _, r := range e.names("roles") {
		if !roles[r] {
			return false
		}
	}
	if at, ok := e.str("at"); ok && at != time.Unix(d.ScheduledAt, 0).UTC().Format("2006-01-02T15:04:05Z") {
		return false
	}
	if local, ok := e.str("local"); ok &&
		local != fmt.Sprintf("%s %02d:%02d", dateText(d.LocalDate), d.LocalSeconds/3600, d.LocalSeconds/60%60) {
		return false
	}
	if due, ok := e.str("due_by"); ok && due != dateText(d.DueBy) {
		return false
	}
	if amount, ok := e.str("amount"); ok && amount != d.Amount.String() {
		return false
	}
	if n, ok := e.str("approvers"); ok && n != strconv.Itoa(d.Approvers) {
		return false
	}
	if e.get("recovery_plan") != nil && e.flag("recovery_plan", false) != d.RecoveryPlan {
		return false
	}
	if facts := e.get("facts"); facts != nil {
		for i, name := range facts.keys {
			found := false
			for _, f := range d.Facts {
				found = found || (f.Name == name && factText(f) == facts.vals[i].text)
			}
			if !found {
				return false
			}
		}
	}
	return true
}

func (s *scenario) checkDay(ev *Evaluation, day *ynode) []string {
	var problems []string
	res, err := ev.Result()
	if err != nil {
		return []string{err.Error()}
	}
	if expect := day.get("expect"); expect != nil {
		taken := make([]bool, len(res.Decisions))
		for _, e := range expect.items {
			i := 0
			for i < len(res.Decisions) && (taken[i] || !decisionMatches(res.Decisions[i], e)) {
				i++
			}
			if i < len(res.Decisions) {
				taken[i] = true
			} else {
				problems = append(problems, fmt.Sprintf("line %d: expected %s not decided", e.line, e.textOr("kind", "")))
			}
		}
		if day.textOr("others", "") != "allowed" {
			for i, d := range res.Decisions {
				if !taken[i] {
					problems = append(problems, "decided but not expected: "+describe(d))
				}
			}
		}
		if len(problems) > 0 {
			for _, d := range res.Decisions {
				problems = append(problems, "  decided: "+describe(d))
			}
		}
	}
	if cov := day.get("coverage"); cov != nil {
		for i, inv := range cov.keys {
			want := cov.vals[i].text
			have := "not an open invoice"
			for _, a := range res.Assessments {
				if a.InvoiceID == inv {
					have = a.Coverage.String() + "/"
					if a.Reason != 0 {
						have += a.Reason.String()
					}
				}
			}
			if have != want && !strings.HasPrefix(have, want+"/") {
				problems = append(problems, fmt.Sprintf("line %d: %s is %s, expected %s", cov.vals[i].line, inv, have, want))
			}
		}
	}
	if res.Coverage.Unaccounted != 0 {
		problems = append(problems, "an overdue invoice is in no state")
	}
	if cad := day.get("cadence"); cad != nil {
		for i, inv := range cad.keys {
			have := "unchanged"
			for _, u := range res.Cadence {
				if u.InvoiceID == inv {
					have = u.Status.String()
				}
			}
			if have != cad.vals[i].text {
				problems = append(problems, fmt.Sprintf("line %d: the cadence of %s is %s, expected %s",
					cad.vals[i].line, inv, have, cad.vals[i].text))
			}
		}
	}
	if want := day.get("worklist"); want != nil {
		lines, err := ev.Worklist("")
		if err != nil {
			return append(problems, err.Error())
		}
		for _, w := range want.items {
			found := false
			for _, l := range lines {
				ok := func(key, have string) bool {
					v, given := w.str(key)
					return !given || v == have
				}
				found = found || (ok("owner", l.Owner) && ok("customer", l.CustomerID) &&
					ok("next_action", l.NextAction) && ok("due_by", dateText(l.DueBy)))
			}
			if !found {
				problems = append(problems, fmt.Sprintf("line %d: no worklist line for %s %s", w.line,
					w.textOr("owner", ""), w.textOr("next_action", "")))
			}
		}
	}
	return problems
}

func (s *scenario) checkLifecycle(day *ynode, r *CycleReport) []string {
	var problems []string
	counts := map[string]uint64{
		"kept": r.PromisesKept, "partially_kept": r.PromisesPartiallyKept, "broken": r.PromisesBroken,
		"sla_reminders": r.DisputesSLAReminders, "sla_breached": r.DisputesSLABreached, "recon_opened": r.ReconOpened,
	}
	if lc := day.get("lifecycle"); lc != nil {
		for i, k := range lc.keys {
			have, known := counts[k]
			if !known {
				problems = append(problems, fmt.Sprintf("line %d: unknown lifecycle count %q", lc.vals[i].line, k))
			} else if strconv.FormatUint(have, 10) != lc.vals[i].text {
				problems = append(problems, fmt.Sprintf("%s: %d, expected %s", k, have, lc.vals[i].text))
			}
		}
	}
	if ps := day.get("promises"); ps != nil {
		for i, id := range ps.keys {
			info, err := s.eng.PromiseInfo(id)
			if err != nil {
				problems = append(problems, fmt.Sprintf("no promise %s: %v", id, err))
			} else if info.State.String() != ps.vals[i].text {
				problems = append(problems, fmt.Sprintf("promise %s is %s, expected %s", id, info.State, ps.vals[i].text))
			}
		}
	}
	if day.get("recon") != nil {
		items, err := s.eng.Reconciliation(1, nil)
		if err != nil {
			return append(problems, err.Error())
		}
		var have []string
		for _, it := range items {
			have = append(have, it.ID)
		}
		if want := day.names("recon"); strings.Join(have, ", ") != strings.Join(want, ", ") {
			problems = append(problems, fmt.Sprintf("open reconciliation items [%s], expected [%s]",
				strings.Join(have, ", "), strings.Join(want, ", ")))
		}
	}
	return problems
}

func runScenario(t *testing.T, path string) {
	root, err := readYAML(path)
	if err != nil {
		t.Fatal(err)
	}
	s := &scenario{t: t, root: root, dir: filepath.Dir(path)}
	if text, ok := root.str("policy"); ok {
		s.policy, err = ParsePolicy([]byte(text), "policy")
	} else {
		s.policy, err = LoadPolicy(filepath.Join(s.dir, root.textOr("policy_file", "policies/standard.yaml")))
	}
	if err != nil {
		t.Fatalf("the policy does not load: %v", err)
	}
	defer s.policy.Close()
	if s.eng, err = Open("", &Options{Policy: s.policy}); err != nil {
		t.Fatal(err)
	}
	defer s.eng.Close()
	days := root.get("days")
	if days == nil || len(days.items) == 0 {
		t.Fatal("the scenario needs days")
	}
	s.today = s.date(days.items[0], "date", time.Time{})
	s.addFacts(root.get("ledger"))
	for _, day := range days.items {
		s.today = s.date(day, "date", time.Time{})
		if s.today.IsZero() {
			t.Fatalf("line %d: a day needs its date", day.line)
		}
		s.addFacts(day.get("facts"))
		ev, err := s.eng.Evaluate(s.today, nil)
		if err != nil {
			t.Fatalf("%s: %v", dateText(s.today), err)
		}
		problems := s.checkDay(ev, day)
		ev.Close()
		report, err := s.eng.RunCycle(s.today, nil, &CycleOptions{NoDispatch: true})
		if err != nil {
			t.Fatalf("%s: the cycle: %v", dateText(s.today), err)
		}
		if root.flag("lifecycle", false) {
			problems = append(problems, s.checkLifecycle(day, report)...)
		}
		if len(problems) > 0 {
			t.Fatalf("%s (line %d):\n  %s", dateText(s.today), day.line, strings.Join(problems, "\n  "))
		}
	}
}

func TestScenariosGiveTheSameDecisionsAsTheCTest(t *testing.T) {
	root := os.Getenv("ARCHASE_SOURCE_ROOT")
	if root == "" {
		t.Fatal("ARCHASE_SOURCE_ROOT is not set (meson test sets it)")
	}
	paths, err := filepath.Glob(filepath.Join(root, "tests", "scenarios", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) < 20 {
		t.Fatalf("%d scenario files in %s", len(paths), filepath.Join(root, "tests", "scenarios"))
	}
	sort.Strings(paths)
	for _, path := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".yaml"), func(t *testing.T) { runScenario(t, path) })
	}
}
