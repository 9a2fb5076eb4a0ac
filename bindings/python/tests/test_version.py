import re

import archase
from archase import capi


def test_version_is_the_library_version():
    assert re.fullmatch(r"\d+\.\d+\.\d+", archase.version())
    assert archase.__version__ == archase.version()


def test_library_and_header_agree():
    assert capi.archase_version() == capi.ARCHASE_VERSION_NUMBER
    assert archase.version() == capi.ARCHASE_VERSION_STRING
    major, minor, patch = (int(p) for p in archase.version().split("."))
    assert capi.archase_version() == major * 10000 + minor * 100 + patch


def test_package_is_imported_from_the_build_tree_not_the_sources():
    # The sources have no extension module: importing them would fail.
    assert hasattr(capi, "archase_money_parse")
