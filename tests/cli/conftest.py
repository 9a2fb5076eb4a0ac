"""Shared fixtures for the CLI tests: run `archase` as a user would."""
import json
import os
import subprocess

import pytest

CLI = os.environ.get("ARCHASE_CLI")
SOURCE_ROOT = os.environ.get("ARCHASE_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))


class Result:
    def __init__(self, proc):
        self.code = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    def json(self):
        return json.loads(self.out)


@pytest.fixture
def archase():
    if not CLI:
        pytest.skip("ARCHASE_CLI is not set (run through meson test)")

    def run(*args, stdin=None, cwd=None):
        proc = subprocess.run([CLI, *map(str, args)], input=stdin, capture_output=True,
                              text=True, cwd=cwd, timeout=600)
        return Result(proc)

    return run


@pytest.fixture
def source_root():
    return SOURCE_ROOT
