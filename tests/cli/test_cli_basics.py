"""The CLI skeleton: dispatch, help for every command, version, exit codes."""
import re


def test_no_arguments_is_a_usage_error(archase):
    r = archase()
    assert r.code == 2
    assert "usage: archase COMMAND" in r.err


def test_help_lists_every_command(archase):
    r = archase("--help")
    assert r.code == 0
    assert "commands:" in r.out
    assert "version" in r.out


def test_every_command_has_help(archase):
    names = re.findall(r"^  (\S+)\s", archase("--help").out.split("commands:")[1], flags=re.M)
    assert names, "no commands listed"
    for name in names:
        r = archase(name, "--help")
        assert r.code == 0, name
        assert r.out.startswith("usage: archase " + name), name
        r2 = archase("help", name)
        assert r2.code == 0 and r2.out == r.out, name


def test_unknown_command_is_a_usage_error(archase):
    r = archase("frobnicate")
    assert r.code == 2
    assert "unknown command 'frobnicate'" in r.err


def test_unknown_option_is_a_usage_error(archase):
    r = archase("version", "--bogus")
    assert r.code == 2
    assert "unknown option '--bogus'" in r.err


def test_version_text_and_json_agree(archase):
    text = archase("version")
    assert text.code == 0
    m = re.match(r"archase (\d+)\.(\d+)\.(\d+) \(headers \1\.\2\.\3\)$", text.out.strip())
    assert m, text.out
    data = archase("version", "--json").json()
    assert data["library"] == data["headers"] == ".".join(m.groups())
    major, minor, patch = map(int, m.groups())
    assert data["number"] == major * 10000 + minor * 100 + patch
