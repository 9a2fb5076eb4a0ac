from datetime import date

import pytest

import archase
from archase import capi, errors

EVERY_CLASS = {
    "EINVAL": archase.InvalidArgument,
    "ENOMEM": archase.OutOfMemory,
    "ECONFLICT": archase.ConflictError,
    "EPOLICY": archase.PolicyError,
    "ESTORAGE": archase.StorageError,
    "ENOTFOUND": archase.NotFound,
    "EUNSUPPORTED": archase.Unsupported,
    "ECURRENCY": archase.CurrencyError,
    "EOVERFLOW": archase.ArithmeticOverflow,
    "EPARSE": archase.ParseError,
    "ESTATE": archase.StateError,
    "EDENIED": archase.PermissionDenied,
    "EVERIFY": archase.VerificationError,
    "EBUSY": archase.BusyError,
    "ETRANSPORT": archase.TransportError,
    "EVERSION": archase.VersionError,
    "ECALLBACK": archase.CallbackError,
    "EIO": archase.InputOutputError,
    "ERANGE": archase.OutOfRange,
    "EBUFSIZE": archase.BufferTooSmall,
    "EEXPIRED": archase.Expired,
}


def all_codes():
    code = -1
    while capi.archase_error_name(code) != "ARCHASE_EUNKNOWN":
        yield code
        code -= 1


def test_every_code_of_the_library_has_its_own_class():
    codes = list(all_codes())
    assert len(codes) == len(EVERY_CLASS)
    for code in codes:
        cls = errors.error_class(code)
        assert cls is not archase.Error
        assert cls.code == code
        assert EVERY_CLASS[capi.archase_error_name(code)[len("ARCHASE_"):]] is cls


@pytest.mark.parametrize("suffix, cls", sorted(EVERY_CLASS.items()))
def test_a_class_carries_its_code_name_and_message(suffix, cls):
    e = cls()
    assert isinstance(e, archase.Error)
    assert e.code == getattr(capi, "ARCHASE_" + suffix)
    assert e.name == "ARCHASE_" + suffix
    assert e.message == capi.archase_strerror(e.code)
    assert str(e) == e.message
    assert e.function is None


def test_an_unknown_code_is_the_base_class():
    assert errors.error_class(-1000) is archase.Error
    e = errors._from_status(-1000, "archase_future", None, [], 0)
    assert type(e) is archase.Error
    assert e.code == -1000
    assert e.name == "ARCHASE_EUNKNOWN"


def test_value_errors_are_value_errors_too():
    assert issubclass(archase.ParseError, ValueError)
    assert issubclass(archase.InvalidArgument, ValueError)
    assert issubclass(archase.CurrencyError, ValueError)
    assert issubclass(archase.OutOfRange, ValueError)
    assert issubclass(archase.ArithmeticOverflow, OverflowError)
    assert issubclass(archase.NotFound, LookupError)
    assert issubclass(archase.OutOfMemory, MemoryError)


def test_the_failing_call_raises_with_code_name_and_function():
    with pytest.raises(archase.ParseError) as info:
        capi.archase_money_parse("12,50 EUR")
    e = info.value
    assert e.code == capi.ARCHASE_EPARSE == -10
    assert e.name == "ARCHASE_EPARSE"
    assert e.function == "archase_money_parse"
    assert e.message == "malformed input"


def test_a_successful_status_call_returns_none_or_its_outputs():
    assert capi.archase_calendar_options_init(capi.archase_calendar_options(), 1) is None
    assert isinstance(capi.archase_money_parse("1.00 EUR"), capi.archase_money)


def test_struct_members_of_type_int_are_values_not_statuses():
    cur = capi.archase_currency_lookup("XAU")
    assert cur.minor_units == -1          # an int8 member, negative
    opts = capi.archase_calendar_options()
    assert opts.version == capi.ARCHASE_CALENDAR_OPTIONS_VERSION


def test_a_failing_engine_call_carries_the_engine_message():
    eng = capi.archase_open_memory(None)
    batch = capi.archase_batch_begin(eng, None, "first")
    with pytest.raises(archase.StateError) as info:
        capi.archase_batch_begin(eng, None, "second")
    assert info.value.message == "a batch is already open on this engine"
    assert info.value.function == "archase_batch_begin"
    del batch
    assert capi.archase_engine_errmsg(eng) == "a batch is already open on this engine"


def test_an_opener_failure_carries_its_error_text(tmp_path):
    not_a_database = tmp_path / "ledger.db"
    not_a_database.write_bytes(b"this is not an SQLite database, not even close" * 100)
    with pytest.raises(archase.Error) as info:
        capi.archase_open_sqlite(str(not_a_database), None, None)
    assert info.value.function == "archase_open_sqlite"
    assert info.value.message != capi.archase_strerror(info.value.code)


def test_an_invalid_policy_raises_policy_error_with_file_line_and_column():
    text = b"version: 1\nname: broken\ncurrency:\n  default: EUR\n  bogus_key: 1\n"
    with pytest.raises(archase.PolicyError) as info:
        capi.archase_policy_load_buffer(text, "policy.yaml", None)
    e = info.value
    assert e.code == capi.ARCHASE_EPOLICY
    assert e.diagnostics, "the loader's diagnostics travel with the error"
    assert e.file == "policy.yaml"
    assert e.line >= 1 and e.column >= 1
    first = e.diagnostics[0]
    assert str(e).startswith(f"policy.yaml:{first.line}:{first.column}: ")


def test_a_wrong_type_is_a_type_error_not_an_archase_error():
    with pytest.raises(TypeError):
        capi.archase_calendar_add_business_days(
            capi.archase_calendar_new(None), "2026-01-01", 1)
    with pytest.raises(TypeError):
        capi.archase_date_add_months(date(2026, 1, 31), "one")
