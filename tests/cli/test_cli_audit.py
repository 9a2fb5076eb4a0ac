"""archase audit: verify a ledger's log (and an export of it), roots and
proofs an auditor checks with `archase merkle`, checkpoints, export — and a
ledger file edited behind the library's back."""
import json
import sqlite3

import pytest

# RFC 8032 section 7.1, TEST 1, and TEST 2's public key (another signer).
PRIVATE_PEM = (
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
    "-----END PRIVATE KEY-----\n"
)
PUBLIC_HEX = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
OTHER_PUBLIC_HEX = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"

CUSTOMERS = "customer_id,name\nC1,ACME\nC2,Globex\n"
INVOICES = (
    "invoice_id,customer_id,number,issue_date,due_date,amount,currency,source_link\n"
    "I1,C1,2026-0001,2026-01-01,2026-01-31,1200.00,EUR,erp://inv/1\n"
    "I2,C2,2026-0002,2026-01-05,2026-02-04,80.00,USD,\n"
    "I3,C2,2026-0003,2026-01-06,2026-02-05,90.00,USD,\n"
)


@pytest.fixture
def ledger(archase, tmp_path):
    db = tmp_path / "ledger.db"
    assert archase("init", db).code == 0
    for kind, text in (("customers", CUSTOMERS), ("invoices", INVOICES)):
        f = tmp_path / f"{kind}.csv"
        f.write_text(text)
        r = archase("import", db, "--kind", kind, f)
        assert r.code == 0, r.err
    return db


@pytest.fixture
def key(tmp_path):
    private = tmp_path / "key.pem"
    private.write_text(PRIVATE_PEM)
    public = tmp_path / "key.pub"
    public.write_text(PUBLIC_HEX + "\n")
    other = tmp_path / "other.pub"
    other.write_text(OTHER_PUBLIC_HEX + "\n")
    return private, public, other


def test_a_ledger_log_verifies(archase, ledger):
    r = archase("audit", "verify", ledger)
    assert r.code == 0, r.err
    assert r.out.startswith("verified: 5 records verified")
    data = archase("audit", "verify", ledger, "--json").json()
    assert data["verified"] is True and data["problem"] is None
    assert data["size"] == 5 and data["records"] == 5
    assert data["log_id"].startswith("ar-") and len(data["root"]) == 64
    root = archase("audit", "root", ledger).out.strip()
    assert root == data["root"]
    assert archase("audit", "root", ledger, "--size", "5", "--json").json() == {"size": 5, "root": root}


def test_an_inclusion_proof_checks_out_with_the_auditor_tool(archase, ledger):
    for index, size in ((0, 1), (2, 5), (4, 5), (1, 3)):
        p = archase("audit", "prove", ledger, "--index", index, "--size", size, "--json")
        assert p.code == 0, p.err
        data = p.json()
        assert data["index"] == index and data["size"] == size
        assert data["root"] == archase("audit", "root", ledger, "--size", size).out.strip()
        v = archase("merkle", "verify-inclusion", "--leaf-hash", data["leaf_hash"], "--index", index,
                    "--size", size, "--proof", ",".join(data["proof"]), "--root", data["root"])
        assert (v.code, v.out) == (0, "valid\n")
    text = archase("audit", "prove", ledger, "--index", 2, "--size", 5).out
    assert "leaf-hash " in text and "proof " in text
    assert archase("audit", "prove", ledger, "--index", 5, "--size", 5).code == 1
    assert archase("audit", "prove", ledger, "--index", 0, "--size", 6).code == 1
    assert archase("audit", "prove", ledger, "--index", "x", "--size", 5).code == 2


def test_a_consistency_proof_checks_out_with_the_auditor_tool(archase, ledger):
    for m, n in ((1, 5), (3, 5), (5, 5), (2, 4)):
        c = archase("audit", "consistency", ledger, "--from", m, "--to", n, "--json")
        assert c.code == 0, c.err
        data = c.json()
        v = archase("merkle", "verify-consistency", "--size1", m, "--size2", n, "--proof",
                    ",".join(data["proof"]), "--root1", data["root1"], "--root2", data["root2"])
        assert (v.code, v.out) == (0, "valid\n")
    assert archase("audit", "consistency", ledger, "--from", 0, "--to", 5).code == 1


def test_a_checkpoint_is_signed_kept_and_checked(archase, ledger, key, tmp_path):
    private, public, other = key
    c = archase("audit", "checkpoint", ledger, "--key", private)
    assert c.code == 0, c.err
    assert c.out.startswith("archase-checkpoint v1\n")
    copy = tmp_path / "checkpoint.txt"
    copy.write_text(c.out)
    assert archase("checkpoint", "verify", copy, "--pubkey", public).code == 0
    data = archase("audit", "verify", ledger, "--pubkey", public, "--checkpoint", copy, "--json").json()
    assert data["verified"] is True
    assert data["checkpoints"] == 2  # the stored one and the copy
    assert data["size"] == 6  # the checkpoint is a record of the log
    r = archase("audit", "verify", ledger, "--pubkey", other)
    assert r.code == 1
    assert r.out.startswith("invalid: checkpoint at record 5: ")
    assert archase("audit", "verify", ledger, "--checkpoint", copy).code == 2


def test_an_export_verifies_alone_and_an_edit_is_named(archase, ledger, key, tmp_path):
    private, public, _ = key
    assert archase("audit", "checkpoint", ledger, "--key", private).code == 0
    out = tmp_path / "audit.jsonl"
    assert archase("audit", "export", ledger, "--output", out).code == 0
    lines = out.read_text().splitlines()
    header = json.loads(lines[0])
    assert header["type"] == "audit_log" and header["size"] == 6
    assert json.loads(lines[1])["type"] == "checkpoint"
    records = [json.loads(line) for line in lines[2:]]
    assert [r["index"] for r in records] == list(range(6))
    assert records[2]["links"] == ["erp://inv/1"]
    # Each record's hash is the auditor tool's leaf hash of its bytes.
    for rec in records:
        assert archase("merkle", "leaf-hash", rec["record"]).out.strip() == rec["leaf_hash"]
    r = archase("audit", "verify", "--export", out, "--pubkey", public, "--json")
    assert r.code == 0, r.out
    assert r.json()["root"] == archase("audit", "root", ledger).out.strip()

    rec = records[3]
    rec["record"] = rec["record"][:-10] + ("0" if rec["record"][-10] != "0" else "1") + rec["record"][-9:]
    lines[2 + 3] = json.dumps(rec)
    bad = tmp_path / "edited.jsonl"
    bad.write_text("\n".join(lines) + "\n")
    r = archase("audit", "verify", "--export", bad)
    assert r.code == 1
    assert r.out.startswith("invalid: altered at record 3: ")


def test_a_ledger_edited_behind_the_library_is_caught(archase, ledger):
    with sqlite3.connect(ledger) as con:
        con.execute("DROP TRIGGER audit_log_no_update")
        data = bytearray(con.execute("SELECT data FROM audit_log WHERE idx = 2").fetchone()[0])
        data[-5] ^= 1
        con.execute("UPDATE audit_log SET data = ? WHERE idx = 2", (bytes(data),))
    r = archase("audit", "verify", ledger, "--json")
    assert r.code == 1
    data = r.json()
    assert data["verified"] is False and data["problem"] == "altered" and data["first_bad"] == 2


def test_wrong_command_lines_exit_2(archase, ledger, tmp_path):
    assert archase("audit").code == 2
    assert archase("audit", "nonsense").code == 2
    assert archase("audit", "verify").code == 2
    assert archase("audit", "verify", ledger, "--export", ledger).code == 2
    assert archase("audit", "root", ledger, "--size", "-1").code == 2
    assert archase("audit", "checkpoint", ledger).code == 2
    assert archase("audit", "checkpoint", ledger, "--key", tmp_path / "missing.pem").code == 2
    assert archase("audit", "verify", tmp_path / "missing.db").code == 1
