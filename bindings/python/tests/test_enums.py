"""The enums of both bindings are the headers' (bindings/gen_enums.py writes
them; a header's new value fails here until they are regenerated), and their
names are the library's."""
import os
import subprocess
import sys

import pytest

import archase
from archase import capi


@pytest.mark.parametrize("lang, path", [("python", "bindings/python/archase/enums.py"),
                                        ("go", "bindings/go/enums.go")])
def test_the_committed_enums_are_the_generators_output(source_root, lang, path):
    out = subprocess.run([sys.executable, os.path.join(source_root, "bindings", "gen_enums.py"),
                          os.path.join(source_root, "include"), lang],
                         capture_output=True, text=True, check=True).stdout
    with open(os.path.join(source_root, path)) as f:
        assert f.read() == out, f"run: python3 bindings/gen_enums.py include {lang} > {path}"


@pytest.mark.parametrize("enum, name_of", [
    (archase.Channel, capi.archase_channel_name),
    (archase.PaymentKind, capi.archase_payment_kind_name),
    (archase.Reason, capi.archase_reason_name),
    (archase.DecisionKind, capi.archase_decision_kind_name),
    (archase.WorkKind, capi.archase_work_kind_name),
    (archase.Action, capi.archase_action_name),
    (archase.ApprovalStatus, capi.archase_approval_status_name),
    (archase.Kind, capi.archase_kind_name),
    (archase.CoverageState, capi.archase_coverage_state_name),
])
def test_enum_values_are_the_librarys(enum, name_of):
    for member in enum:
        if member.value == 0 or member is archase.Channel.INTERNAL:
            # "none" has no name; internal routes are no contact's channel
            # (archase_channel_name names contacts' channels only).
            assert name_of(member) is None
            continue
        assert name_of(member) == member.name.lower(), member
    assert name_of(max(enum) + 1) is None
