package archase

import (
	"encoding/hex"
	"runtime"
	"time"

	"archase/internal/capi"
)

// ---- the audit log ----------------------------------------------------------

// AuditReport is what verifying the log found.
type AuditReport struct {
	Verified    bool   `json:"verified"`
	Problem     int    `json:"problem"` // AuditProblem
	ProblemName string `json:"problem_name"`
	FirstBad    uint64 `json:"first_bad"`
	Records     uint64 `json:"records"`
	Size        uint64 `json:"size"`
	Root        string `json:"root"` // hex
	Checkpoints uint64 `json:"checkpoints"`
	LogID       string `json:"log_id"`
	Message     string `json:"message"`
}

// AuditSize is the number of records in the log.
func (e *Engine) AuditSize() (uint64, error) {
	var n uint64
	err := e.call("archase_audit_size", func(h capi.Archase_engine) int { return capi.Archase_audit_size(h, &n) })
	return n, err
}

// AuditVerify verifies the whole log; Verified is false (with Problem and
// Message) when it was tampered with. trustedKeys are raw Ed25519 public
// keys checkpoints must be signed with.
func (e *Engine) AuditVerify(trustedKeys ...[]byte) (*AuditReport, error) {
	var keys []byte
	for _, k := range trustedKeys {
		if len(k) != 32 {
			return nil, errorf(codeInvalid, "a trusted key is 32 bytes (raw Ed25519)")
		}
		keys = append(keys, k...)
	}
	if keys == nil {
		keys = []byte{}
	}
	var r AuditReport
	err := e.jsonCall("archase_bind_audit_verify_json", &r, func(h capi.Archase_engine, out *uintptr) int {
		return capi.Archase_bind_audit_verify_json(h, keys, out)
	})
	return &r, err
}

// Proof is a Merkle proof of the log with the hashes it ties together.
type Proof struct {
	LeafHash []byte // inclusion proofs only
	Nodes    []byte // concatenated 32-byte hashes
	Root     []byte
}

func (e *Engine) prove(consistency int, a, b uint64) (*Proof, error) {
	var raw struct {
		LeafHash string `json:"leaf_hash"`
		Proof    string `json:"proof"`
		Root     string `json:"root"`
	}
	err := e.jsonCall("archase_bind_audit_prove_json", &raw, func(h capi.Archase_engine, out *uintptr) int {
		return capi.Archase_bind_audit_prove_json(h, consistency, a, b, out)
	})
	if err != nil {
		return nil, err
	}
	p := &Proof{}
	if p.LeafHash, err = hex.DecodeString(raw.LeafHash); err != nil {
		return nil, err
	}
	if p.Nodes, err = hex.DecodeString(raw.Proof); err != nil {
		return nil, err
	}
	p.Root, err = hex.DecodeString(raw.Root)
	return p, err
}

// AuditRoot is the root of the first size records of the log.
func (e *Engine) AuditRoot(size uint64) ([]byte, error) {
	p, err := e.prove(1, size, size)
	if err != nil {
		return nil, err
	}
	return p.Root, nil
}

// AuditProveInclusion proves record index is in the first size records.
func (e *Engine) AuditProveInclusion(index, size uint64) (*Proof, error) {
	return e.prove(0, index, size)
}

// AuditProveConsistency proves the first size1 records are a prefix of the first size2.
func (e *Engine) AuditProveConsistency(size1, size2 uint64) (*Proof, error) {
	return e.prove(1, size1, size2)
}

// AuditExport is the log as JSON Lines (docs/audit-format.md, "Export").
func (e *Engine) AuditExport() (string, error) {
	var s string
	err := e.jsonCall("archase_bind_audit_export", &s, func(h capi.Archase_engine, out *uintptr) int {
		return capi.Archase_bind_audit_export(h, out)
	})
	return s, err
}

// AuditCheckpoint signs a checkpoint of the log with an Ed25519 private key
// (PEM) and stores it; its text form.
func (e *Engine) AuditCheckpoint(privateKeyPEM string) (string, error) {
	var s string
	err := e.jsonCall("archase_bind_audit_checkpoint_pem", &s, func(h capi.Archase_engine, out *uintptr) int {
		return capi.Archase_bind_audit_checkpoint_pem(h, privateKeyPEM, out)
	})
	return s, err
}

// Checkpoint is a signed checkpoint stored with the log (hashes in hex).
type Checkpoint struct {
	LogID     string `json:"log_id"`
	Size      uint64 `json:"size"`
	Root      string `json:"root"`
	Time      int64  `json:"time"`
	KeyID     string `json:"key_id"`
	Signature string `json:"signature"`
	PublicKey string `json:"public_key"`
	Text      string `json:"text"`
}

// AuditCheckpoints lists the stored checkpoints.
func (e *Engine) AuditCheckpoints() ([]Checkpoint, error) {
	var cps []Checkpoint
	err := e.jsonCall("archase_bind_audit_checkpoints_json", &cps, func(h capi.Archase_engine, out *uintptr) int {
		return capi.Archase_bind_audit_checkpoints_json(h, out)
	})
	return cps, err
}

// ---- store-less Merkle trees ------------------------------------------------

func leaves(hashes [][32]byte) []byte {
	b := make([]byte, 0, 32*len(hashes))
	for _, h := range hashes {
		b = append(b, h[:]...)
	}
	return b
}

// MerkleLeafHash is SHA-256(0x00 || data).
func MerkleLeafHash(data []byte) [32]byte {
	var h [32]byte
	if data == nil {
		data = []byte{}
	}
	if capi.Archase_merkle_leaf_hash(data, h[:]) != 0 {
		panic("archase: out of memory")
	}
	return h
}

// MerkleRoot is the root of the tree of these leaf hashes.
func MerkleRoot(hashes [][32]byte) [32]byte {
	var h [32]byte
	if capi.Archase_bind_merkle_root(leaves(hashes), h[:]) != 0 {
		panic("archase: out of memory")
	}
	return h
}

// MerkleProveInclusion is the inclusion proof of leaf index.
func MerkleProveInclusion(hashes [][32]byte, index uint64) ([]byte, error) {
	var out uintptr
	if err := check(capi.Archase_bind_merkle_prove(leaves(hashes), 0, index, uint64(len(hashes)), &out),
		"archase_merkle_prove_inclusion"); err != nil {
		return nil, err
	}
	return hex.DecodeString(text(out))
}

// MerkleVerifyInclusion reports whether proof shows leaf index of a tree of
// size leaves with this root is leaf.
func MerkleVerifyInclusion(leaf [32]byte, index, size uint64, proof []byte, root [32]byte) bool {
	if proof == nil {
		proof = []byte{}
	}
	return capi.Archase_bind_merkle_verify(proof, 0, index, size, hex.EncodeToString(leaf[:]),
		hex.EncodeToString(root[:])) == 0
}

// ---- approvals --------------------------------------------------------------

// ApprovalRequest is a sensitive action to be approved.
type ApprovalRequest struct {
	Action         Action
	CustomerID     string
	InvoiceIDs     []string
	Amount         Money // Currency "" = none stated
	Requester      string
	RequesterRole  string
	Justification  string
	CustomerImpact string
	Rule           string
	ReasonCode     string
	Detail         string
	DecisionID     string
}

// Vote is who approves or rejects, in which role, and why.
type Vote struct {
	Actor, Role, Reason string
}

// Approval is a stored request and where it stands.
type Approval struct {
	ID                string         `json:"id"`
	Status            ApprovalStatus `json:"status"`
	Action            Action         `json:"action"`
	CustomerID        string         `json:"customer_id"`
	InvoiceIDs        []string       `json:"invoice_ids"`
	Amount            Money          `json:"amount"`
	Requester         string         `json:"requester"`
	RequesterRole     string         `json:"requester_role"`
	Justification     string         `json:"justification"`
	CustomerImpact    string         `json:"customer_impact"`
	Rule              string         `json:"rule"`
	ReasonCode        string         `json:"reason_code"`
	Detail            string         `json:"detail"`
	DecisionID        string         `json:"decision_id"`
	ApprovalRule      string         `json:"approval_rule"`
	FastLane          bool           `json:"fast_lane"`
	ApprovalsRequired int            `json:"approvals_required"`
	Approvals         int            `json:"approvals"`
	Roles             []string       `json:"roles"`
	Votes             []struct {
		Actor   string `json:"actor"`
		Role    string `json:"role"`
		Reason  string `json:"reason"`
		Approve bool   `json:"approve"`
		At      int64  `json:"at"`
	} `json:"votes"`
	Created    int64  `json:"created"`
	Expires    int64  `json:"expires"`
	Closed     int64  `json:"closed"`
	Replaces   string `json:"replaces"`
	ReplacedBy string `json:"replaced_by"`
}

// RequestApproval raises a request; the id and whether it is new (the same
// request twice is the first one).
func (e *Engine) RequestApproval(r ApprovalRequest, policy *Policy) (string, bool, error) {
	p, err := e.policyOr(policy)
	if err != nil {
		return "", false, err
	}
	in, err := newInput(int(capi.ARCHASE_BIND_APPROVAL_REQUEST))
	if err != nil {
		return "", false, err
	}
	defer in.free()
	in.int("action", int64(r.Action))
	in.text("customer_id", r.CustomerID)
	in.list("invoice_ids", r.InvoiceIDs)
	in.money("amount", r.Amount)
	in.text("requester", r.Requester)
	in.text("requester_role", r.RequesterRole)
	in.text("justification", r.Justification)
	in.text("customer_impact", r.CustomerImpact)
	in.text("rule", r.Rule)
	in.text("reason_code", r.ReasonCode)
	in.text("detail", r.Detail)
	in.text("decision_id", r.DecisionID)
	if in.err != nil {
		return "", false, in.err
	}
	var res struct {
		ID      string `json:"id"`
		Created bool   `json:"created"`
	}
	err = e.jsonCall("archase_bind_approval_raise", &res, func(h capi.Archase_engine, out *uintptr) int {
		return capi.Archase_bind_approval_raise(h, p.h, in.h, out)
	})
	runtime.KeepAlive(p)
	return res.ID, res.Created, err
}

func (e *Engine) vote(id string, approve int, v Vote) (ApprovalStatus, error) {
	in, err := newInput(int(capi.ARCHASE_BIND_APPROVAL_VOTE))
	if err != nil {
		return 0, err
	}
	defer in.free()
	in.text("actor", v.Actor)
	in.text("role", v.Role)
	in.text("reason", v.Reason)
	if in.err != nil {
		return 0, in.err
	}
	var status int32
	err = e.call("archase_bind_approval_vote", func(h capi.Archase_engine) int {
		return capi.Archase_bind_approval_vote(h, id, approve, in.h, &status)
	})
	return ApprovalStatus(status), err
}

// Approve records an approval; the request's status after it.
func (e *Engine) Approve(id string, v Vote) (ApprovalStatus, error) { return e.vote(id, 1, v) }

// Reject records a rejection; the request's status after it.
func (e *Engine) Reject(id string, v Vote) (ApprovalStatus, error) { return e.vote(id, 0, v) }

// DispatchApproval marks an approved request carried out; the id of the
// request that replaced it when the facts changed ("" when none).
func (e *Engine) DispatchApproval(id, actor string) (string, error) {
	var s string
	err := e.jsonCall("archase_bind_approval_dispatch", &s, func(h capi.Archase_engine, out *uintptr) int {
		return capi.Archase_bind_approval_dispatch(h, id, actor, out)
	})
	return s, err
}

// ExpireApprovals lapses requests past their expiry; how many.
func (e *Engine) ExpireApprovals() (uint64, error) {
	var n uint64
	err := e.call("archase_approvals_expire", func(h capi.Archase_engine) int {
		return capi.Archase_approvals_expire(h, &n)
	})
	return n, err
}

func (e *Engine) approvals(id string, status ApprovalStatus, from, to time.Time, n uint32, seed uint64) ([]Approval, error) {
	f, err := dateArg(from)
	if err != nil {
		return nil, err
	}
	t, err := dateArg(to)
	if err != nil {
		return nil, err
	}
	var as []Approval
	err = e.jsonCall("archase_bind_approvals_json", &as, func(h capi.Archase_engine, out *uintptr) int {
		return capi.Archase_bind_approvals_json(h, id, int(status), f, t, uint(n), seed, out)
	})
	return as, err
}

// Approval reads one request; ErrNotFound when there is none.
func (e *Engine) Approval(id string) (*Approval, error) {
	if id == "" {
		return nil, errorf(codeInvalid, "an id is required")
	}
	as, err := e.approvals(id, 0, time.Time{}, time.Time{}, 0, 0)
	if err != nil {
		return nil, err
	}
	return &as[0], nil
}

// Approvals lists the requests of a status (0: every one).
func (e *Engine) Approvals(status ApprovalStatus) ([]Approval, error) {
	return e.approvals("", status, time.Time{}, time.Time{}, 0, 0)
}

// OverrideSample is a reproducible random sample of n overrides made in [from, to].
func (e *Engine) OverrideSample(from, to time.Time, n uint32, seed uint64) ([]Approval, error) {
	if n == 0 {
		return nil, errorf(codeInvalid, "the sample needs n > 0")
	}
	return e.approvals("", 0, from, to, n, seed)
}
