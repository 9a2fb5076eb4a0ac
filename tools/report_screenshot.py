#!/usr/bin/env python3
"""report_screenshot.py REPORT.html OUT.png [--top Y --bottom Y --width X] —
the README's picture of the report: headless Chromium renders the page
1000 pixels wide, and the rows from --top to --bottom (the first
currency's aging, DSO and CEI charts by default) are kept."""
import argparse
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "cli"))
from test_cli_report import png_pixels  # noqa: E402  (the tests' PNG reader)


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("report")
    ap.add_argument("out")
    ap.add_argument("--top", type=int, default=1060)
    ap.add_argument("--bottom", type=int, default=2260)
    ap.add_argument("--width", type=int, default=760)
    args = ap.parse_args()
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not browser:
        sys.exit("report_screenshot: install Chromium (Debian: chromium)")
    with tempfile.TemporaryDirectory() as tmp:
        full = os.path.join(tmp, "full.png")
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--user-data-dir={tmp}/profile", "--window-size=1000,3000", f"--screenshot={full}",
                        "file://" + os.path.abspath(args.report)], check=True, capture_output=True)
        width, height, channels, rows = png_pixels(full)
    raw = b"".join(b"\x00" + bytes(r[x] for x in range(args.width * channels) if channels == 3 or x % 4 != 3)
                   for r in rows[args.top:args.bottom])
    header = struct.pack(">IIBBBBB", args.width, args.bottom - args.top, 8, 2, 0, 0, 0)
    with open(args.out, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9))
                + chunk(b"IEND", b""))


if __name__ == "__main__":
    main()
