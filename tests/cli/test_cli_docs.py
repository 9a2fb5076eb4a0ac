"""Every shell example of docs/cli.md and docs/getting-started.md runs and
succeeds, so the docs cannot drift from the command.

The ```sh blocks of a page run in order in one `bash -e -o pipefail`, in
a scratch directory that looks like the top of the source tree: `examples/`
and `tools/` are the source tree's, `build/` is this build, so
`export PATH="$PWD/build/cli:$PATH"` finds the `archase` under test. `make`
is a shell function there: `make demo` runs tools/demo.sh on this build with
the demo's files in the scratch directory; `make build` checks that this
build has the command; `make deps` (installs Debian packages, needs root) and
`make test` (would run this test again) are the only targets not run, and
the test fails if a page names any other. `head` drains what it does not
print, so that under pipefail a command piped into it fails only when it
fails."""
import os
import re
import subprocess

import pytest

NOT_RUN = {"deps": "installs system packages", "test": "would run this test suite again"}

MAKE = r'''
# `| head` reads the rest too, so the command before it never dies of SIGPIPE
# and pipefail still catches it failing
head() { command head "$@"; cat >/dev/null; }
make() {
  local target
  for target in "$@"; do
    case "$target" in
      demo) ARCHASE_DEMO_DIR="$PWD/demo" "$ARCHASE_SOURCE_ROOT/tools/demo.sh" "$ARCHASE_BUILD_ROOT" ;;
      build) test -x "$ARCHASE_BUILD_ROOT/cli/archase" ;;
      deps|test) echo "make $target: not run by the docs test" ;;
      *) echo "make $target: unknown to the docs test" >&2; return 1 ;;
    esac
  done
}
'''


def shell_blocks(path):
    text = open(path, encoding="utf-8").read()
    return re.findall(r"^```sh\n(.*?)^```", text, flags=re.S | re.M)


def scratch(tmp_path, source_root):
    build = os.environ.get("ARCHASE_BUILD_ROOT") or os.path.dirname(os.path.dirname(os.environ["ARCHASE_CLI"]))
    for name in ("examples", "tools"):
        os.symlink(os.path.join(source_root, name), tmp_path / name)
    os.symlink(build, tmp_path / "build")
    env = dict(os.environ, ARCHASE_BUILD_ROOT=build, ARCHASE_SOURCE_ROOT=os.path.abspath(source_root))
    # the command under test, and no other `archase` from the caller's PATH
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if not os.path.exists(os.path.join(p, "archase")))
    return env


@pytest.mark.parametrize("page", ["cli.md", "getting-started.md"])
def test_every_shell_example_succeeds(archase, tmp_path, source_root, page):
    blocks = shell_blocks(os.path.join(source_root, "docs", page))
    assert blocks, f"docs/{page} has no ```sh examples"
    env = scratch(tmp_path, source_root)
    for target in re.findall(r"^\s*make\s+(\w+)", "\n".join(blocks), flags=re.M):
        assert target in ("demo", "build") or target in NOT_RUN, f"docs/{page} runs `make {target}`"
    # one shell for the page, as a reader types the examples in order
    script = MAKE + "".join(f'echo "@@block {i}" >&2\n{block}\n' for i, block in enumerate(blocks))
    proc = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=540)
    if proc.returncode != 0:
        failed = re.findall(r"^@@block (\d+)$", proc.stderr, flags=re.M)
        block = blocks[int(failed[-1])] if failed else "(before the first block)"
        pytest.fail(f"docs/{page}: this example failed (exit {proc.returncode}):\n{block}\n"
                    f"{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
    if page == "getting-started.md":
        # the demo printed what the page says it prints, and left the report
        for section in ("== today's worklist (2026-03-31), top 10", "== approvals waiting for a decision today",
                        "== open promises to pay", "== open disputes", "== no silent drops",
                        "== KPIs: January", "== audit log", "demo/report.html"):
            assert section in proc.stdout, section
        assert re.search(r"overdue invoices: .* 0 unaccounted", proc.stdout)
        assert re.search(r"^verified: \d+ records verified", proc.stdout, flags=re.M)
        assert len(re.findall(r"^2026-\d\d-\d\d  .* decisions", proc.stdout, flags=re.M)) == 60
        assert (tmp_path / "demo" / "report.html").stat().st_size > 50000


def test_cli_md_shows_every_command(archase, source_root):
    help_text = archase("--help").out
    commands = re.findall(r"^  ([a-z]+)\s", help_text.split("commands:")[1], flags=re.M)
    assert len(commands) > 20
    examples = "\n".join(shell_blocks(os.path.join(source_root, "docs", "cli.md")))
    missing = [c for c in commands if not re.search(rf"\barchase {c}\b", examples)]
    assert not missing, f"docs/cli.md has no example of: {', '.join(missing)}"
