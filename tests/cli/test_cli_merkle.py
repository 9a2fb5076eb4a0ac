"""The auditor's tools: `archase merkle ...` and `archase checkpoint ...`.

The published RFC 6962 probes (tests/data/merkle_probes.txt, from
transparency-dev/merkle) are run through the command line exactly as an
auditor types them, and checkpoints built by hand from docs/audit-format.md
and signed by OpenSSL are verified, so the document, not our code, is what a
third party needs."""
import hashlib
import os
import shutil
import struct
import subprocess

import pytest

HERE = os.path.dirname(__file__)
PROBES = os.path.join(HERE, "..", "data", "merkle_probes.txt")

LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657",
          "606162636465666768696a6b6c6d6e6f"]
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
H = "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"


def leaf_hash(data: bytes) -> str:
    return hashlib.sha256(b"\x00" + data).hexdigest()


def read_probes():
    probes = []
    with open(PROBES) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            kind, want, a, b, h1, h2, proof, name = line.split()
            h1 = "" if h1 == "~" else h1
            h2 = "" if h2 == "~" else h2
            if proof == "-":
                proof = ""
            else:
                parts = ["" if p == "~" else p for p in proof.split(",")]
                # A one-element proof of an empty hash cannot be written apart
                # from the empty proof; ",": two empty hashes, just as malformed.
                proof = "," if parts == [""] else ",".join(parts)
            probes.append((kind, want, a, b, h1, h2, proof, name))
    return probes


def is_hash(h):
    return len(h) == 64


def test_help_starts_with_usage(archase):
    for args in (("merkle", "--help"), ("merkle", "verify-inclusion", "--help"),
                 ("help", "merkle")):
        r = archase(*args)
        assert r.code == 0
        assert r.out.startswith("usage: archase merkle")
    r = archase("merkle")
    assert r.code == 2 and "usage: archase merkle" in r.err
    r = archase("checkpoint", "--help")
    assert r.code == 0 and r.out.startswith("usage: archase checkpoint")


def test_leaf_hashes_and_roots_of_the_rfc_vectors(archase):
    hashes = []
    for data in LEAVES:
        r = archase("merkle", "leaf-hash", data)
        assert r.code == 0, r.err
        assert r.out == leaf_hash(bytes.fromhex(data)) + "\n"
        hashes.append(r.out.strip())
    assert archase("merkle", "leaf-hash", "ABCD").out == archase("merkle", "leaf-hash", "abcd").out
    for size in range(0, 9):
        stdin = "".join(h + "\n" for h in hashes[:size])
        r = archase("merkle", "root", stdin=stdin)
        assert r.code == 0, r.err
        assert r.out == ROOTS[size] + "\n"
    # Upper case, CRLF and a last line without its newline are all fine.
    r = archase("merkle", "root", stdin="\r\n".join(h.upper() for h in hashes))
    assert r.out == ROOTS[8] + "\n"


def test_root_and_leaf_hash_refuse_malformed_input(archase):
    for stdin in ("x\n", H[:-1] + "\n", H + "0\n", H + "\n\n", H + " \n", "g" + H[1:] + "\n"):
        r = archase("merkle", "root", stdin=stdin)
        assert r.code == 2, stdin
        assert "line" in r.err
        assert r.out == ""
    for data in ("abc", "zz", "0x00"):
        r = archase("merkle", "leaf-hash", data)
        assert r.code == 2, data
    assert archase("merkle", "leaf-hash").code == 2
    assert archase("merkle", "leaf-hash", "00", "11").code == 2
    assert archase("merkle", "frobnicate").code == 2


def run_probe(archase, probe):
    kind, want, a, b, h1, h2, proof, name = probe
    if kind == "inclusion":
        return archase("merkle", "verify-inclusion", "--leaf-hash", h1, "--index", a,
                       "--size", b, "--proof", proof, "--root", h2)
    return archase("merkle", "verify-consistency", "--size1", a, "--size2", b,
                   "--proof", proof, "--root1", h1, "--root2", h2)


def test_every_published_probe_through_the_command_line(archase):
    probes = read_probes()
    assert len(probes) == 196
    seen = {0: 0, 1: 0, 2: 0}
    for probe in probes:
        kind, want, a, b, h1, h2, proof, name = probe
        r = run_probe(archase, probe)
        seen[r.code] += 1
        well_formed = is_hash(h1) and is_hash(h2) and all(
            is_hash(p) for p in proof.split(",") if proof)
        if not well_formed:
            # Hashes that are not 32 bytes are malformed arguments. The only
            # such probe that wants "ok" uses 12-byte stand-in roots.
            assert r.code == 2, (name, r.err)
            assert "64 hex digits" in r.err
        elif want == "ok":
            assert (r.code, r.out) == (0, "valid\n"), (name, r.err)
        else:
            assert (r.code, r.out) == (1, "invalid\n"), (name, r.err)
    assert seen[0] == 11 and seen[1] == 132 and seen[2] == 53


def test_verify_arguments_are_checked_before_anything_is_verified(archase):
    ok = ["--leaf-hash", H, "--index", "0", "--size", "1", "--proof", "", "--root", H]
    assert archase("merkle", "verify-inclusion", *ok).code == 0
    assert archase("merkle", "verify-inclusion", *[a if a.startswith("--") else a.upper() for a in ok]).code == 0

    def with_(option, value):
        args = list(ok)
        args[args.index(option) + 1] = value
        return archase("merkle", "verify-inclusion", *args)

    for option, value in (("--index", "-1"), ("--index", "1e3"), ("--index", ""),
                          ("--index", "18446744073709551616"), ("--size", "one"),
                          ("--root", H + "00"), ("--root", H[:-2]), ("--leaf-hash", "q" * 64),
                          ("--proof", H + ","), ("--proof", "," + H), ("--proof", H[:10])):
        r = with_(option, value)
        assert r.code == 2, (option, value, r.err)
        assert r.out == ""
    # Well formed but impossible: not valid, not malformed.
    assert with_("--index", "1").code == 1
    assert with_("--index", "18446744073709551615").code == 1
    assert with_("--proof", H).code == 1
    # Every option is required.
    for i in range(0, len(ok), 2):
        r = archase("merkle", "verify-inclusion", *(ok[:i] + ok[i + 2:]))
        assert r.code == 2 and "missing " + ok[i] in r.err
    assert archase("merkle", "verify-inclusion", *ok, "--size1", "3").code == 2
    assert archase("merkle", "verify-consistency", "--size1", "0", "--size2", "0", "--proof", "",
                   "--root1", ROOTS[0], "--root2", ROOTS[0]).code == 1


def proof_for(archase, leaves, index, size):
    """Builds an inclusion proof by RFC 6962's PATH, in Python, for the CLI to check."""
    def mth(lo, hi):
        if hi - lo == 1:
            return bytes.fromhex(leaves[lo])
        k = 1
        while k * 2 < hi - lo:
            k *= 2
        return hashlib.sha256(b"\x01" + mth(lo, lo + k) + mth(lo + k, hi)).digest()

    def path(m, lo, hi):
        if hi - lo == 1:
            return []
        k = 1
        while k * 2 < hi - lo:
            k *= 2
        if m < lo + k:
            return path(m, lo, lo + k) + [mth(lo + k, hi)]
        return path(m, lo + k, hi) + [mth(lo, lo + k)]

    return ",".join(p.hex() for p in path(index, 0, size)), mth(0, size).hex()


def test_proofs_built_from_the_rfc_definition_verify(archase):
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(37)]
    for size in (1, 2, 3, 7, 16, 37):
        r = archase("merkle", "root", stdin="\n".join(leaves[:size]) + "\n")
        for index in sorted({0, size // 2, size - 1}):
            proof, root = proof_for(archase, leaves, index, size)
            assert r.out.strip() == root
            v = archase("merkle", "verify-inclusion", "--leaf-hash", leaves[index], "--index", index,
                        "--size", size, "--proof", proof, "--root", root)
            assert (v.code, v.out) == (0, "valid\n"), (size, index, v.err)
            if size > 1:
                v = archase("merkle", "verify-inclusion", "--leaf-hash", leaves[index],
                            "--index", index, "--size", size, "--proof", proof,
                            "--root", leaves[0])
                assert v.code == 1


# ---- checkpoints ------------------------------------------------------------

OPENSSL = shutil.which("openssl")
needs_openssl = pytest.mark.skipif(OPENSSL is None, reason="the openssl command is not installed")


def checkpoint_body(log_id: bytes, size: int, root: bytes, time: int) -> bytes:
    """The signed bytes, written from docs/audit-format.md alone."""
    body = b"\x0a" + b"CP" + struct.pack(">H", 4)
    body += struct.pack(">HB", 1, 0x03) + struct.pack(">I", len(log_id)) + log_id
    body += struct.pack(">HB", 2, 0x02) + struct.pack(">q", size)
    body += struct.pack(">HB", 3, 0x08) + root
    body += struct.pack(">HB", 4, 0x07) + struct.pack(">q", time)
    return body


@pytest.fixture
def keypair(tmp_path):
    if OPENSSL is None:
        pytest.skip("the openssl command is not installed")
    private = tmp_path / "key.pem"
    public = tmp_path / "pub.pem"
    subprocess.run([OPENSSL, "genpkey", "-algorithm", "ed25519", "-out", str(private)], check=True,
                   capture_output=True)
    subprocess.run([OPENSSL, "pkey", "-in", str(private), "-pubout", "-out", str(public)], check=True,
                   capture_output=True)
    der = subprocess.run([OPENSSL, "pkey", "-pubin", "-in", str(public), "-outform", "DER"],
                         check=True, capture_output=True).stdout
    return private, public, der[-32:]


def openssl_checkpoint(tmp_path, private, raw_public, log_id, size, root_hex, time):
    import base64
    root = bytes.fromhex(root_hex)
    body = tmp_path / "body.bin"
    body.write_bytes(checkpoint_body(log_id.encode(), size, root, time))
    sig = subprocess.run([OPENSSL, "pkeyutl", "-sign", "-rawin", "-inkey", str(private),
                          "-in", str(body)], check=True, capture_output=True).stdout
    assert len(sig) == 64
    key_id = hashlib.sha256(raw_public).digest()[:8].hex()
    return (f"archase-checkpoint v1\nlog-id {log_id}\nsize {size}\n"
            f"root {base64.b64encode(root).decode()}\ntime {time}\nkey-id {key_id}\n"
            f"signature {base64.b64encode(sig).decode()}\n")


@needs_openssl
def test_a_checkpoint_made_by_hand_and_openssl_verifies(archase, tmp_path, keypair):
    private, public, raw = keypair
    text = openssl_checkpoint(tmp_path, private, raw, "example.com/ar-log", 8, ROOTS[8], 1767225600)
    cp = tmp_path / "cp.txt"
    cp.write_text(text)
    r = archase("checkpoint", "verify", cp, "--pubkey", public)
    assert r.code == 0, r.err
    assert r.out.startswith("valid\n")
    assert "size 8\n" in r.out and ROOTS[8] in r.out
    # The raw key as hex works too, and --json says the same.
    hexkey = tmp_path / "pub.hex"
    hexkey.write_text(raw.hex().upper() + "\n")
    r = archase("checkpoint", "verify", cp, "--pubkey", hexkey, "--json")
    assert r.code == 0, r.err
    data = r.json()
    assert data["valid"] is True and data["size"] == 8 and data["root"] == ROOTS[8]
    assert data["log_id"] == "example.com/ar-log" and data["time"] == 1767225600


@needs_openssl
def test_our_signature_is_the_one_openssl_makes(archase, tmp_path, keypair):
    private, public, raw = keypair
    r = archase("checkpoint", "sign", "--key", private, "--log-id", "acme/ar", "--size", 5,
                "--root", ROOTS[5].upper(), "--time", -3)
    assert r.code == 0, r.err
    # Ed25519 is deterministic: the same key and bytes give the same signature.
    assert r.out == openssl_checkpoint(tmp_path, private, raw, "acme/ar", 5, ROOTS[5], -3)


@needs_openssl
def test_forged_checkpoints_and_wrong_keys_are_invalid(archase, tmp_path, keypair):
    private, public, raw = keypair
    text = archase("checkpoint", "sign", "--key", private, "--log-id", "acme/ar", "--size", 8,
                   "--root", ROOTS[8], "--time", 1767225600).out
    cp = tmp_path / "cp.txt"
    lines = text.splitlines(keepends=True)
    forgeries = {
        "size": text.replace("size 8\n", "size 9\n"),
        "root": text.replace(lines[3], "root " + "A" * 43 + "=\n"),
        "time": text.replace("time 1767225600\n", "time 1767225601\n"),
        "log-id": text.replace("log-id acme/ar\n", "log-id acme/ap\n"),
        "signature": text.replace(lines[6], lines[6][:12] + ("B" if lines[6][12] != "B" else "C")
                                  + lines[6][13:]),
        "key-id": text.replace(lines[5], "key-id 0000000000000000\n"),
        "garbage": "hello\n",
        "truncated": "".join(lines[:6]),
    }
    for what, forged in forgeries.items():
        cp.write_text(forged)
        r = archase("checkpoint", "verify", cp, "--pubkey", public)
        assert r.code == 1, (what, r.out, r.err)
        assert r.out.startswith("invalid: ")
    cp.write_text(text)
    assert archase("checkpoint", "verify", cp, "--pubkey", public).code == 0
    other = tmp_path / "other.pem"
    other_pub = tmp_path / "other.pub"
    subprocess.run([OPENSSL, "genpkey", "-algorithm", "ed25519", "-out", str(other)], check=True,
                   capture_output=True)
    subprocess.run([OPENSSL, "pkey", "-in", str(other), "-pubout", "-out", str(other_pub)],
                   check=True, capture_output=True)
    r = archase("checkpoint", "verify", cp, "--pubkey", other_pub, "--json")
    assert r.code == 1
    assert r.json()["valid"] is False
    # Unreadable inputs are usage errors, not verdicts.
    assert archase("checkpoint", "verify", tmp_path / "missing", "--pubkey", public).code == 2
    assert archase("checkpoint", "verify", cp, "--pubkey", tmp_path / "missing").code == 2
    assert archase("checkpoint", "verify", cp, "--pubkey", private).code == 2
    assert archase("checkpoint", "verify", cp).code == 2
    assert archase("checkpoint", "sign", "--key", public, "--log-id", "a", "--size", 1,
                   "--root", ROOTS[1]).code == 2
    assert archase("checkpoint", "sign", "--key", private, "--log-id", "a b", "--size", 1,
                   "--root", ROOTS[1]).code == 2
