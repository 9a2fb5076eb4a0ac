"""The archase package under test is the one built in the build tree
(PYTHONPATH=<build>/bindings/python, set by meson test)."""

import os

import pytest

import archase


def pytest_report_header(config):
    return f"archase {archase.version()} from {os.path.dirname(archase.__file__)}"


@pytest.fixture(scope="session")
def source_root():
    return os.environ.get("ARCHASE_SOURCE_ROOT",
                          os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..")))
