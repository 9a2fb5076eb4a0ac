#!/usr/bin/env python3
"""check_hardening.py FORTIFY ELF... — reads each built ELF file with readelf
and fails unless it has what meson.build asks for:

- full RELRO: a GNU_RELRO segment and immediate binding (BIND_NOW / FLAGS_1 NOW);
- position independence: a shared object or a PIE executable, no TEXTREL;
- a non-executable stack (GNU_STACK without E);
- the stack protector: a reference to __stack_chk_fail;
- when FORTIFY is not 0: fortified libc calls (__*_chk).
"""
import re
import subprocess
import sys


def readelf(args, path):
    return subprocess.run(["readelf", "-W"] + args + [path], check=True,
                          capture_output=True, text=True).stdout


def check(path, fortify):
    problems = []
    header = readelf(["-h"], path)
    segments = readelf(["-l"], path)
    dynamic = readelf(["-d"], path)
    symbols = readelf(["--dyn-syms"], path)
    kind = re.search(r"Type:\s+(\w+)", header).group(1)
    if kind != "DYN":
        problems.append(f"type {kind}: not position-independent (want DYN: a shared object or PIE)")
    if "GNU_RELRO" not in segments:
        problems.append("no GNU_RELRO segment (-Wl,-z,relro)")
    if not (re.search(r"\(BIND_NOW\)", dynamic) or re.search(r"\(FLAGS_1\).*\bNOW\b", dynamic)
            or re.search(r"\(FLAGS\).*\bBIND_NOW\b", dynamic)):
        problems.append("no immediate binding (-Wl,-z,now)")
    if "TEXTREL" in dynamic:
        problems.append("text relocations (code that is not PIC)")
    stack = [line for line in segments.splitlines() if "GNU_STACK" in line]
    if not stack:
        problems.append("no GNU_STACK segment")
    elif re.search(r"\bRWE\b", stack[0]):
        problems.append("executable stack")
    if "__stack_chk_fail" not in symbols:
        problems.append("no __stack_chk_fail: not built with -fstack-protector-strong")
    fortified = sorted(set(re.findall(r"\b(__\w+_chk)\b", symbols)) - {"__stack_chk_fail"})
    if fortify and not fortified:
        problems.append(f"no fortified calls (__*_chk): not built with -D_FORTIFY_SOURCE={fortify}")
    return problems, fortified


def main():
    fortify = int(sys.argv[1])
    failed = False
    for path in sys.argv[2:]:
        problems, fortified = check(path, fortify)
        for p in problems:
            print(f"{path}: {p}")
        if problems:
            failed = True
        else:
            print(f"{path}: relro, now, PIC, NX stack, stack protector"
                  + (f", fortified ({len(fortified)}: {' '.join(fortified[:6])}...)" if fortify else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
