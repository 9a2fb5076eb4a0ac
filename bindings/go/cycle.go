package archase

import (
	"time"

	"archase/internal/capi"
)

// DispatchReport is what one dispatch did.
type DispatchReport struct {
	Recovered       uint64 `json:"recovered"`
	ReconciledSent  uint64 `json:"reconciled_sent"`
	ReconciledRetry uint64 `json:"reconciled_retry"`
	InDoubt         uint64 `json:"in_doubt"`
	Claimed         uint64 `json:"claimed"`
	Sent            uint64 `json:"sent"`
	Retried         uint64 `json:"retried"`
	Dead            uint64 `json:"dead"`
	Alerts          uint64 `json:"alerts"`
	Refused         uint64 `json:"refused"`
}

// CycleReport is what one daily cycle did.
type CycleReport struct {
	AsOf                  time.Time         `json:"as_of"`
	DecisionsHash         string            `json:"decisions_hash"`
	Decisions             uint64            `json:"decisions"`
	ByKind                map[string]uint64 `json:"by_kind"`
	CadenceUpdates        uint64            `json:"cadence_updates"`
	OutboxWritten         uint64            `json:"outbox_written"`
	OutboxExisting        uint64            `json:"outbox_existing"`
	Drafts                uint64            `json:"drafts"`
	InternalRoutes        uint64            `json:"internal_routes"`
	Digests               uint64            `json:"digests"`
	ApprovalsRaised       uint64            `json:"approvals_raised"`
	ApprovedActions       uint64            `json:"approved_actions"`
	Cancelled             uint64            `json:"cancelled"`
	AuditRecords          uint64            `json:"audit_records"`
	PromisesKept          uint64            `json:"promises_kept"`
	PromisesPartiallyKept uint64            `json:"promises_partially_kept"`
	PromisesBroken        uint64            `json:"promises_broken"`
	DisputesSLAReminders  uint64            `json:"disputes_sla_reminders"`
	DisputesSLABreached   uint64            `json:"disputes_sla_breached"`
	ReconOpened           uint64            `json:"recon_opened"`
	LifecycleTransitions  uint64            `json:"lifecycle_transitions"`
	Dispatch              DispatchReport    `json:"dispatch"`
}

// CycleOptions change how a cycle runs.
type CycleOptions struct {
	Review     bool // every customer message is a draft for a person (copilot mode)
	NoDispatch bool // persist only; deliver later with Dispatch
	TZDir      string
}

// RunCycle runs the day asOf under policy (nil: the engine's): evaluates,
// stores the cadence state, writes the outbox, raises approvals and appends
// the audit in one transaction, then delivers through the transport. The
// same day twice writes nothing new.
//
// A Transport whose Send fails or panics leaves that message in doubt (it
// may have gone out; a Lookuper reconciles it at the next Dispatch), the
// rest of the call is handed back for a later attempt, and RunCycle returns
// the error (a *CallbackError or *CallbackPanic) after the commit.
func (e *Engine) RunCycle(asOf time.Time, policy *Policy, o *CycleOptions) (*CycleReport, error) {
	p, err := e.policyOr(policy)
	if err != nil {
		return nil, err
	}
	d, err := dateToC(asOf)
	if err != nil {
		return nil, err
	}
	if o == nil {
		o = &CycleOptions{}
	}
	review, dispatch := 0, 1
	if o.Review {
		review = 1
	}
	if o.NoDispatch {
		dispatch = 0
	}
	var r CycleReport
	err = e.jsonCall("archase_bind_run_cycle", &r, func(h capi.Archase_engine, out *uintptr) int {
		return capi.Archase_bind_run_cycle(h, p.h, d, review, dispatch, o.TZDir, out)
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// Dispatch delivers what is due at now (the zero time: the engine's clock),
// at most limit items (0: every due one).
func (e *Engine) Dispatch(now time.Time, limit uint32) (*DispatchReport, error) {
	var n int64
	if !now.IsZero() {
		n = now.Unix()
	}
	var ph capi.Archase_policy
	if e.policy != nil {
		ph = e.policy.h
	}
	var r DispatchReport
	err := e.jsonCall("archase_bind_dispatch", &r, func(h capi.Archase_engine, out *uintptr) int {
		return capi.Archase_bind_dispatch(h, ph, n, uint(limit), out)
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// OutboxItem is an outbox item as stored.
type OutboxItem struct {
	ID             string       `json:"id"`
	IdempotencyKey string       `json:"idempotency_key"`
	DecisionKey    string       `json:"decision_key"`
	Status         OutboxStatus `json:"status"`
	Kind           DecisionKind `json:"kind"`
	Action         Action       `json:"action"`
	Channel        Channel      `json:"channel"`
	CustomerID     string       `json:"customer_id"`
	InvoiceIDs     []string     `json:"invoice_ids"`
	Address        string       `json:"address"`
	Template       string       `json:"template"`
	Subject        string       `json:"subject"`
	Body           string       `json:"body"`
	Owner          string       `json:"owner"`
	Amount         Money        `json:"amount"`
	AsOf           time.Time    `json:"as_of"`
	ScheduledAt    int64        `json:"scheduled_at"`
	Attempts       int          `json:"attempts"`
	MaxAttempts    int          `json:"max_attempts"`
	LastDetail     string       `json:"last_detail"`
	Draft          bool         `json:"draft"`
	Reviewer       string       `json:"reviewer"`
	Edited         bool         `json:"edited"`
	ResolvedBy     string       `json:"resolved_by"`
}

// Outbox lists the items of a status (0: every one), in id order.
func (e *Engine) Outbox(status OutboxStatus) ([]OutboxItem, error) {
	var items []OutboxItem
	err := e.jsonCall("archase_bind_outbox_json", &items, func(h capi.Archase_engine, out *uintptr) int {
		return capi.Archase_bind_outbox_json(h, "", int(status), out)
	})
	return items, err
}

// OutboxItem reads one item; ErrNotFound when there is none.
func (e *Engine) OutboxItem(id string) (*OutboxItem, error) {
	if id == "" {
		return nil, errorf(codeInvalid, "an id is required")
	}
	var items []OutboxItem
	err := e.jsonCall("archase_bind_outbox_json", &items, func(h capi.Archase_engine, out *uintptr) int {
		return capi.Archase_bind_outbox_json(h, id, 0, out)
	})
	if err != nil {
		return nil, err
	}
	return &items[0], nil
}

// ResolveOutbox records a person's decision about an item in doubt or dead:
// OutboxResolutionSent (it was delivered), OutboxResolutionResend (deliver it
// again under the same key), OutboxResolutionCancel.
func (e *Engine) ResolveOutbox(id string, resolution OutboxResolution, actor, reason string) error {
	return e.call("archase_outbox_resolve", func(h capi.Archase_engine) int {
		return capi.Archase_outbox_resolve(h, id, int(resolution), actor, reason)
	})
}

func (e *Engine) review(id string, action int, reviewer, note, subject, body string) error {
	return e.call("archase_bind_review", func(h capi.Archase_engine) int {
		return capi.Archase_bind_review(h, id, action, reviewer, note, subject, body)
	})
}

// ApproveDraft lets a draft go out as written.
func (e *Engine) ApproveDraft(id, reviewer, note string) error {
	return e.review(id, 1, reviewer, note, "", "")
}

// EditDraft lets a draft go out with a new subject and/or body ("" keeps it).
func (e *Engine) EditDraft(id, reviewer, note, subject, body string) error {
	return e.review(id, 2, reviewer, note, subject, body)
}

// RejectDraft cancels a draft; note says why (required).
func (e *Engine) RejectDraft(id, reviewer, note string) error {
	return e.review(id, 3, reviewer, note, "", "")
}

// UseFileTransport gives the engine the shipped file transport: JSON lines
// appended to path, or (eml) one .eml file per message in the directory path.
func (e *Engine) UseFileTransport(path string, eml bool) error {
	format := 1
	if eml {
		format = 2
	}
	err := e.call("archase_bind_set_file_transport", func(h capi.Archase_engine) int {
		return capi.Archase_bind_set_file_transport(h, format, path)
	})
	if err == nil {
		e.mu.Lock()
		e.transport = nil
		e.mu.Unlock()
	}
	return err
}

// LocalDay is a message's LocalDate as a time.Time (midnight UTC).
func LocalDay(days int32) time.Time { return dateFromC(days) }
