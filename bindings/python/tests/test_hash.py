import hashlib

import pytest

import archase


def test_fips_180_vectors():
    assert archase.sha256(b"abc").hex() == \
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert archase.sha256(b"").hex() == \
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert archase.sha256(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").hex() == \
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"


def test_any_bytes_like_object_and_agreement_with_hashlib():
    data = bytes(range(256)) * 1000
    expected = hashlib.sha256(data).digest()
    assert archase.sha256(data) == expected
    assert archase.sha256(bytearray(data)) == expected
    assert archase.sha256(memoryview(data)) == expected
    assert len(archase.sha256(b"x")) == 32


def test_text_must_be_encoded_first():
    with pytest.raises(TypeError):
        archase.sha256("abc")
