"""archase report: the HTML page and the Markdown summary of a period, on the
example ledger. Its figures are those of `archase kpi --json`; it holds no
script and no external resource; a real browser draws its charts."""
import html.parser
import json
import os
import shutil
import struct
import subprocess
import zlib

import pytest

FROM, TO = "2026-01-01", "2026-03-31"
FILES = [("customers.csv", "customers"), ("invoices.csv", "invoices"), ("payments.csv", "payments"),
         ("credits.csv", "credits"), ("promises.csv", "promises"), ("disputes.csv", "disputes"),
         ("dispute_updates.csv", "disputes")]


@pytest.fixture(scope="module")
def ledger(tmp_path_factory):
    cli = os.environ.get("ARCHASE_CLI")
    if not cli:
        pytest.skip("ARCHASE_CLI is not set (run through meson test)")
    root = os.environ.get("ARCHASE_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
    db = tmp_path_factory.mktemp("report") / "ledger.db"
    subprocess.run([cli, "init", str(db)], check=True, capture_output=True)
    for name, kind in FILES:
        subprocess.run([cli, "import", str(db), "--kind", kind, os.path.join(root, "examples", "data", name)],
                       check=True, capture_output=True)
    return db


@pytest.fixture
def policy(source_root):
    return os.path.join(source_root, "examples", "policies", "enterprise-formal.yaml")


class Page(html.parser.HTMLParser):
    """What the tests look at: KPI cells, charts and their parts, links, scripts."""

    def __init__(self):
        super().__init__()
        self.kpi = {}
        self.charts = {}
        self.chart = None
        self.titles = {}
        self.in_title = None
        self.tags = []
        self.audit = None
        self.coverage = {}
        self.coverage_cell = None
        self.forecast = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if "data-kpi" in a:
            key = (a["data-currency"], a["data-kpi"])
            assert self.kpi.get(key, a["data-value"]) == a["data-value"], key
            self.kpi[key] = a["data-value"]
        if tag == "svg":
            self.chart = a["data-chart"]
            self.charts[self.chart] = {"marks": 0, "attrs": a}
        elif self.chart and tag in ("rect", "path", "circle") and a.get("class") in ("bar", "line", "point"):
            self.charts[self.chart]["marks"] += 1
        if tag in ("title", "desc") and self.chart:
            self.in_title = (self.chart, tag)
        if "data-forecast-week" in a:
            self.forecast[(a["data-currency"], int(a["data-forecast-week"]))] = a["data-value"]
        if "data-audit" in a:
            self.audit = a["data-audit"]
        if "data-coverage" in a:
            self.coverage_cell = a["data-coverage"]

    def handle_endtag(self, tag):
        if tag == "svg":
            self.chart = None
        if tag in ("title", "desc"):
            self.in_title = None

    def handle_data(self, data):
        if self.in_title:
            self.titles[self.in_title] = self.titles.get(self.in_title, "") + data
        if self.coverage_cell:
            self.coverage[self.coverage_cell] = int(data)
            self.coverage_cell = None


def parse(path):
    page = Page()
    page.feed(open(path, encoding="utf-8").read())
    return page


def kpi_text(value):
    """A value of `kpi --json`, read without floating point, as the page writes it."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    return value


def flatten(row):
    out = {}
    for key, value in row.items():
        if key in ("currency", "from", "to") or isinstance(value, list):
            continue
        if isinstance(value, dict) and key not in ("aging", "aging_count"):
            continue  # a group beside the metrics (reviewer effort), not a currency's metric
        if isinstance(value, dict):
            for sub, v in value.items():
                out[f"{key}.{sub}"] = kpi_text(v)
        else:
            out[key] = kpi_text(value)
    return out


@pytest.fixture(scope="module")
def report(ledger, tmp_path_factory):
    cli = os.environ["ARCHASE_CLI"]
    root = os.environ.get("ARCHASE_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
    out = tmp_path_factory.mktemp("html") / "report.html"
    proc = subprocess.run([cli, "report", str(ledger), "--from", FROM, "--to", TO, "--policy",
                           os.path.join(root, "examples", "policies", "enterprise-formal.yaml"),
                           "--out", str(out)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return out


def test_report_figures_equal_kpi_json(archase, ledger, report, policy):
    r = archase("kpi", ledger, "--from", FROM, "--to", TO, "--policy", policy, "--json")
    assert r.code == 0, r.err
    rows = json.loads(r.out, parse_float=str, parse_int=str)
    page = parse(report)
    assert {c for c, _ in page.kpi} == {row["currency"] for row in rows} == {"USD", "EUR", "GBP"}
    for row in rows:
        figures = flatten(row)
        assert len(figures) > 50
        for name, value in figures.items():
            assert page.kpi.get((row["currency"], name)) == value, (row["currency"], name)


def test_report_has_every_chart_with_title_description_and_marks(report):
    page = parse(report)
    expected = ["disputes", "risk", "coverage"]
    for cur in ("USD", "EUR", "GBP"):
        expected += [f"aging-{cur}", f"dso-{cur}", f"cei-{cur}", f"kept-{cur}", f"forecast-{cur}"]
    for chart in expected:
        assert chart in page.charts, chart
        assert page.charts[chart]["marks"] > 0, f"{chart} draws nothing"
        assert page.titles.get((chart, "title")), chart
        assert page.titles.get((chart, "desc")), chart
        assert page.charts[chart]["attrs"]["role"] == "img"
        assert page.charts[chart]["attrs"]["aria-labelledby"] == f"{chart}-title {chart}-desc"


def test_report_is_self_contained(report):
    text = open(report, encoding="utf-8").read()
    page = parse(report)
    assert not [t for t, _ in page.tags if t in ("script", "iframe", "object", "embed", "link", "img")]
    for _, attrs in page.tags:
        for name in ("src", "href"):
            assert not attrs.get(name, "#").split(":")[0] in ("http", "https", "file", "//"), attrs
    assert "url(" not in text and "@import" not in text
    # the only URL is the SVG namespace, which is a name and never fetched
    assert text.replace('xmlns="http://www.w3.org/2000/svg"', "").count("http") == 0


def test_report_coverage_and_audit_match_the_cli(archase, ledger, report, policy):
    page = parse(report)
    run = archase("run", ledger, "--policy", policy, "--as-of", TO, "--dry-run", "--json").json()
    for state in ("active", "promise", "dispute", "hold", "exception", "unaccounted"):
        assert page.coverage[state] == run["coverage"][state], state
    assert page.audit == "verified"
    root = archase("audit", "root", ledger, "--json")
    assert root.code == 0, root.err
    assert json.loads(root.out)["root"] in open(report, encoding="utf-8").read()


def test_markdown_summary(archase, ledger, policy):
    r = archase("report", ledger, "--from", FROM, "--to", TO, "--policy", policy, "--format", "md", "--out", "-")
    assert r.code == 0, r.err
    assert r.out.startswith(f"# Receivables report, {FROM} to {TO}")
    kpi = json.loads(archase("kpi", ledger, "--from", FROM, "--to", TO, "--policy", policy, "--json").out,
                     parse_float=str)
    usd = next(row for row in kpi if row["currency"] == "USD")
    assert f"| DSO, standard method (days) | {usd['dso_standard_days']} |" in r.out
    assert "## Disputes opened per month, by reason" in r.out
    assert "| unaccounted | 0 |" in r.out


def test_report_without_policy_says_what_it_needs(archase, ledger, tmp_path):
    out = tmp_path / "r.html"
    r = archase("report", ledger, "--from", FROM, "--to", TO, "--out", out)
    assert r.code == 0, r.err
    text = out.read_text()
    assert "Give <code>--policy FILE</code> for the risk scores" in text
    assert 'data-chart="aging-USD"' in text


@pytest.mark.parametrize("args, message", [
    (["--from", TO, "--to", FROM, "--out", "x.html"], "is after"),
    (["--from", "2026-02-30", "--to", TO, "--out", "x.html"], "--from DATE"),
    (["--from", FROM, "--to", TO], "--out FILE is required"),
    (["--from", FROM, "--to", TO, "--out", "x", "--format", "pdf"], "--format is html or md"),
])
def test_bad_command_lines_are_refused(archase, ledger, tmp_path, args, message):
    r = archase("report", ledger, *args, cwd=tmp_path)
    assert r.code == 2
    assert message in r.err
    assert not (tmp_path / "x.html").exists()


def test_missing_ledger_and_unwritable_output(archase, ledger, tmp_path):
    r = archase("report", tmp_path / "none.db", "--from", FROM, "--to", TO, "--out", tmp_path / "x.html")
    assert r.code == 1 and "none.db" in r.err
    r = archase("report", ledger, "--from", FROM, "--to", TO, "--out", tmp_path / "no" / "dir" / "x.html")
    assert r.code == 1 and "cannot write" in r.err


# ---- a real browser -----------------------------------------------------------------

def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def png_pixels(path):
    """Decodes an 8-bit RGB or RGBA PNG (what Chromium writes): width, height, rows of pixels."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), (depth, colour)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = prev[i], prev[i - channels] if i >= channels else 0
            if f == 1:
                line[i] = (line[i] + left) & 255
            elif f == 2:
                line[i] = (line[i] + up) & 255
            elif f == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif f == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, channels, rows


def test_chromium_draws_the_charts(report, tmp_path):
    browser = chromium()
    if not browser:
        pytest.skip("no Chromium on PATH: install Debian's `chromium` package (tools/deps.sh does)")
    common = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
              "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run(common + ["--dump-dom", report.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    page = Page()
    page.feed(dom.stdout)
    assert len(page.charts) >= 18
    assert all(chart["marks"] > 0 for name, chart in page.charts.items() if not name.startswith("effect-"))
    png = tmp_path / "report.png"
    shot = subprocess.run(common + ["--window-size=1100,2400", f"--screenshot={png}", report.as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert shot.returncode == 0 and png.exists(), shot.stderr[-2000:]
    width, height, channels, rows = png_pixels(png)
    assert (width, height) == (1100, 2400)
    colours = set()
    for row in rows[::4]:
        for x in range(0, width * channels, channels * 2):
            colours.add(row[x:x + 3])
    assert len(colours) > 50, "the page looks blank"
    # the charts' first series are drawn in the palette's blue, the second in its orange
    assert bytes((0x00, 0x72, 0xB2)) in colours
    assert bytes((0xE6, 0x9F, 0x00)) in colours


def test_effectiveness_bars_come_from_the_cycles_messages(archase, tmp_path, source_root, policy):
    """After a week of the daily cycle, the messages it sent give the
    effectiveness per sequence step and per template, drawn and equal to kpi --json."""
    db = tmp_path / "ledger.db"
    assert archase("init", db).code == 0
    for name, kind in FILES:
        assert archase("import", db, "--kind", kind, os.path.join(source_root, "examples", "data", name)).code == 0
    for day in range(2, 9):
        r = archase("run", db, "--policy", policy, "--as-of", f"2026-03-{day:02d}",
                    "--transport", f"jsonl:{tmp_path / 'outbox.jsonl'}")
        assert r.code == 0, r.err
    out = tmp_path / "report.html"
    r = archase("report", db, "--from", "2026-03-01", "--to", "2026-03-31", "--policy", policy, "--out", out)
    assert r.code == 0, r.err
    page = parse(out)
    kpi = json.loads(archase("kpi", db, "--from", "2026-03-01", "--to", "2026-03-31", "--policy", policy,
                             "--json").out, parse_float=str, parse_int=str)
    for row in kpi:
        for name, value in flatten(row).items():
            assert page.kpi.get((row["currency"], name)) == value, (row["currency"], name)
        if int(row["messages"]) and row["effectiveness_by_step"]:
            chart = page.charts[f"effect-step-{row['currency']}"]
            assert chart["marks"] == len(row["effectiveness_by_step"])  # a bar per step, 0 % too
            assert f"effect-template-{row['currency']}" in page.charts
    assert any(int(row["messages"]) > 0 for row in kpi)


def test_copilot_drafts_are_counted_as_kpi_json_counts_them(archase, tmp_path, source_root, policy):
    db = tmp_path / "ledger.db"
    assert archase("init", db).code == 0
    for name, kind in FILES[:3]:
        assert archase("import", db, "--kind", kind, os.path.join(source_root, "examples", "data", name)).code == 0
    assert archase("run", db, "--policy", policy, "--as-of", "2026-03-03", "--review").code == 0
    out = tmp_path / "report.html"
    assert archase("report", db, "--from", "2026-03-01", "--to", "2026-03-31", "--out", out).code == 0
    page = parse(out)
    effort = archase("kpi", db, "--from", "2026-03-01", "--to", "2026-03-31", "--json").json()[0]["reviewer_effort"]
    assert effort["pending"] > 0
    assert page.charts["reviews"]["marks"] == 4
    assert f'<title>still waiting: {effort["pending"]}</title>' in out.read_text()


def test_report_forecast_equals_forecast_json(archase, ledger, report, policy):
    r = archase("forecast", ledger, "--as-of", TO, "--policy", policy, "--json")
    assert r.code == 0, r.err
    page = parse(report)
    expected = {(row["currency"], w["week"]): w["expected"] for row in r.json() for w in row["weeks"]}
    assert len(expected) == 3 * 13
    assert page.forecast == expected


def test_a_policy_that_does_not_load_writes_no_report(archase, ledger, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nname: x\nbogus: 1\n")
    out = tmp_path / "r.html"
    r = archase("report", ledger, "--from", FROM, "--to", TO, "--policy", bad, "--out", out)
    assert r.code == 1
    assert f"{bad}:3:1: unknown key \"bogus\"" in r.err
    assert not out.exists()
