package archase

import (
	"encoding/json"
	"time"

	"archase/internal/capi"
)

// PromiseInfo is a promise and where it stands.
type PromiseInfo struct {
	Promise   Promise
	State     PromiseState
	StateDate time.Time // when it reached the state; zero while open
	Paid      Money     // paid toward it when it left open
}

func (e *Engine) needPolicy(p *Policy) (capi.Archase_policy, error) {
	pol, err := e.policyOr(p)
	if err != nil {
		return nil, err
	}
	return pol.h, nil
}

// RecordPromise records a promise taken on asOf, checked against the policy
// (Put stores one without the checks).
func (e *Engine) RecordPromise(p *Promise, asOf time.Time, policy *Policy) error {
	ph, err := e.needPolicy(policy)
	if err != nil {
		return err
	}
	d, err := dateToC(asOf)
	if err != nil {
		return err
	}
	in, err := factInput(p)
	if err != nil {
		return err
	}
	defer in.free()
	return e.call("archase_bind_promise_record", func(h capi.Archase_engine) int {
		return capi.Archase_bind_promise_record(h, ph, in.h, d)
	})
}

// CancelPromise withdraws an open promise; reason is required.
func (e *Engine) CancelPromise(id, reason string, asOf time.Time) error {
	d, err := dateToC(asOf)
	if err != nil {
		return err
	}
	return e.call("archase_promise_cancel", func(h capi.Archase_engine) int {
		return capi.Archase_promise_cancel(h, id, reason, d)
	})
}

func (e *Engine) promises(id, customerID, invoiceID string, state PromiseState) ([]PromiseInfo, error) {
	var raw []json.RawMessage
	err := e.jsonCall("archase_bind_promises_json", &raw, func(h capi.Archase_engine, out *uintptr) int {
		return capi.Archase_bind_promises_json(h, id, customerID, invoiceID, int(state), out)
	})
	if err != nil {
		return nil, err
	}
	infos := make([]PromiseInfo, len(raw))
	for i, r := range raw {
		var extra struct {
			State     PromiseState `json:"state"`
			StateDate time.Time    `json:"state_date"`
			Paid      Money        `json:"paid"`
		}
		if err := json.Unmarshal(r, &infos[i].Promise); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(r, &extra); err != nil {
			return nil, err
		}
		infos[i].State, infos[i].StateDate, infos[i].Paid = extra.State, extra.StateDate, extra.Paid
	}
	return infos, nil
}

// Promises lists promises of a customer and/or invoice ("" = any) in a state (0 = any).
func (e *Engine) Promises(customerID, invoiceID string, state PromiseState) ([]PromiseInfo, error) {
	return e.promises("", customerID, invoiceID, state)
}

// PromiseInfo reads one promise and its state; ErrNotFound when there is none.
func (e *Engine) PromiseInfo(id string) (*PromiseInfo, error) {
	if id == "" {
		return nil, errorf(codeInvalid, "an id is required")
	}
	ps, err := e.promises(id, "", "", 0)
	if err != nil {
		return nil, err
	}
	return &ps[0], nil
}

// OpenDispute opens a dispute under the policy's playbook.
func (e *Engine) OpenDispute(d *Dispute, asOf time.Time, policy *Policy) error {
	ph, err := e.needPolicy(policy)
	if err != nil {
		return err
	}
	day, err := dateToC(asOf)
	if err != nil {
		return err
	}
	in, err := factInput(d)
	if err != nil {
		return err
	}
	defer in.free()
	return e.call("archase_bind_dispute_open", func(h capi.Archase_engine) int {
		return capi.Archase_bind_dispute_open(h, ph, in.h, day)
	})
}

// DisputeOutcome is how a dispute ends.
type DisputeOutcome struct {
	Resolution    Resolution
	Credited      Money // credit issued / partial
	RootCause     string
	By            string
	Justification string // for the approval request, when one is needed
}

// ResolveDispute resolves a dispute; a credit the policy gates waits for an
// approval: the request's id and pending true.
func (e *Engine) ResolveDispute(id string, o DisputeOutcome, asOf time.Time, policy *Policy) (string, bool, error) {
	ph, err := e.needPolicy(policy)
	if err != nil {
		return "", false, err
	}
	d, err := dateToC(asOf)
	if err != nil {
		return "", false, err
	}
	var r struct {
		ApprovalID *string `json:"approval_id"`
		Pending    bool    `json:"pending"`
	}
	err = e.jsonCall("archase_bind_dispute_resolve", &r, func(h capi.Archase_engine, out *uintptr) int {
		return capi.Archase_bind_dispute_resolve(h, ph, id, int(o.Resolution), o.Credited.Minor, o.Credited.Currency,
			o.RootCause, o.By, o.Justification, d, out)
	})
	if err != nil || r.ApprovalID == nil {
		return "", r.Pending, err
	}
	return *r.ApprovalID, r.Pending, nil
}

// ReconItem is one item of the reconciliation queue.
type ReconItem struct {
	ID              string          `json:"id"`
	Reason          ReconReason     `json:"reason"`
	Status          int             `json:"status"` // 1 open, 2 resolved
	CustomerID      string          `json:"customer_id"`
	InvoiceID       string          `json:"invoice_id"`
	PaymentID       string          `json:"payment_id"`
	PromiseID       string          `json:"promise_id"`
	Amount          Money           `json:"amount"`
	Date            time.Time       `json:"date"`
	OwnerRole       string          `json:"owner_role"`
	SLADue          time.Time       `json:"sla_due"`
	Resolution      ReconResolution `json:"resolution"`
	TargetInvoiceID string          `json:"target_invoice_id"`
	ResolvedBy      string          `json:"resolved_by"`
	ApprovalID      string          `json:"approval_id"`
}

// Reconciliation lists the queue's items of a status (1 open, 2 resolved, 0 all).
func (e *Engine) Reconciliation(status int, policy *Policy) ([]ReconItem, error) {
	ph, err := e.needPolicy(policy)
	if err != nil {
		return nil, err
	}
	var items []ReconItem
	err = e.jsonCall("archase_bind_recon_json", &items, func(h capi.Archase_engine, out *uintptr) int {
		return capi.Archase_bind_recon_json(h, ph, status, out)
	})
	return items, err
}

// ReconAction is what a person decided for a reconciliation item.
type ReconAction struct {
	Resolution     ReconResolution
	InvoiceID      string // apply: where the money goes
	By             string
	Note           string
	Justification  string // write-off: the approval request's
	CustomerImpact string
}

// ResolveReconciliation settles an item; a write-off waits for an approval.
func (e *Engine) ResolveReconciliation(id string, a ReconAction, asOf time.Time, policy *Policy) (string, bool, error) {
	ph, err := e.needPolicy(policy)
	if err != nil {
		return "", false, err
	}
	d, err := dateToC(asOf)
	if err != nil {
		return "", false, err
	}
	var r struct {
		ApprovalID *string `json:"approval_id"`
		Pending    bool    `json:"pending"`
	}
	err = e.jsonCall("archase_bind_recon_resolve", &r, func(h capi.Archase_engine, out *uintptr) int {
		return capi.Archase_bind_recon_resolve(h, ph, id, int(a.Resolution), a.InvoiceID, a.By, a.Note,
			a.Justification, a.CustomerImpact, d, out)
	})
	if err != nil || r.ApprovalID == nil {
		return "", r.Pending, err
	}
	return *r.ApprovalID, r.Pending, nil
}

// CreditRecommendation is what the policy recommends for a customer's credit.
type CreditRecommendation struct {
	Action             CreditAction `json:"action"`
	CurrentLimit       Money        `json:"current_limit"`
	RecommendedLimit   Money        `json:"recommended_limit"`
	Exposure           Money        `json:"exposure"`
	UtilisationPercent int64        `json:"utilisation_percent"`
	ApprovalAction     Action       `json:"approval_action"`
	NoticeTemplate     string       `json:"notice_template"`
	EffectiveOn        time.Time    `json:"effective_on"`
	Drivers            []struct {
		Name      string `json:"name"`
		Value     int64  `json:"value"`
		Direction int    `json:"direction"`
	} `json:"drivers"`
}

// RecommendCredit is the credit recommendation of a customer as of asOf.
func (e *Engine) RecommendCredit(customerID string, asOf time.Time, policy *Policy) (*CreditRecommendation, error) {
	ph, err := e.needPolicy(policy)
	if err != nil {
		return nil, err
	}
	d, err := dateToC(asOf)
	if err != nil {
		return nil, err
	}
	var r CreditRecommendation
	err = e.jsonCall("archase_bind_credit_json", &r, func(h capi.Archase_engine, out *uintptr) int {
		return capi.Archase_bind_credit_json(h, ph, customerID, d, 0, "", "", out)
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// LifecycleCounts are what moving promises, disputes and reconciliation forward changed.
type LifecycleCounts struct {
	PromisesKept          uint64 `json:"promises_kept"`
	PromisesPartiallyKept uint64 `json:"promises_partially_kept"`
	PromisesBroken        uint64 `json:"promises_broken"`
	DisputesSLAReminders  uint64 `json:"disputes_sla_reminders"`
	DisputesSLABreached   uint64 `json:"disputes_sla_breached"`
	ReconOpened           uint64 `json:"recon_opened"`
	Transitions           uint64 `json:"transitions"`
}

// UpdateLifecycle moves promises, disputes and the reconciliation queue to
// asOf (the daily cycle does it too).
func (e *Engine) UpdateLifecycle(asOf time.Time, policy *Policy) (*LifecycleCounts, error) {
	ph, err := e.needPolicy(policy)
	if err != nil {
		return nil, err
	}
	d, err := dateToC(asOf)
	if err != nil {
		return nil, err
	}
	var c LifecycleCounts
	err = e.jsonCall("archase_bind_lifecycle_json", &c, func(h capi.Archase_engine, out *uintptr) int {
		return capi.Archase_bind_lifecycle_json(h, ph, d, out)
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// InZone is t's wall-clock time in an IANA zone as the library computes it
// (tzdir "" = /usr/share/zoneinfo): its date, seconds after midnight, UTC
// offset, daylight saving and abbreviation.
func InZone(t time.Time, zone, tzdir string) (day time.Time, secondsOfDay int, offset int, dst bool, abbr string, err error) {
	var out uintptr
	if err = check(capi.Archase_bind_tz_to_local(tzdir, zone, t.Unix(), &out), "archase_tz_to_local"); err != nil {
		return
	}
	var r struct {
		Date         time.Time `json:"date"`
		SecondsOfDay int       `json:"seconds_of_day"`
		UTCOffset    int       `json:"utc_offset"`
		IsDST        bool      `json:"is_dst"`
		Abbreviation string    `json:"abbreviation"`
	}
	if err = decode(text(out), &r); err != nil {
		return
	}
	return r.Date, r.SecondsOfDay, r.UTCOffset, r.IsDST, r.Abbreviation, nil
}
