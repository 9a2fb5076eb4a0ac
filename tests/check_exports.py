#!/usr/bin/env python3
"""The exported symbols of libarchase.so are exactly the version script's list,
which is exactly the set of functions declared ARCHASE_API in the public headers.

usage: check_exports.py LIBRARY MAPFILE INCLUDE_DIR
"""
import os
import re
import subprocess
import sys


def exported(library):
    out = subprocess.run(["nm", "-D", "--defined-only", library], check=True,
                         capture_output=True, text=True).stdout
    names = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[1] in "TtDdBbRrWwVv":
            names.add(parts[2].split("@")[0])
    # Version node names show up as absolute symbols (type A), not functions.
    return names


def mapped(mapfile):
    text = re.sub(r"/\*.*?\*/", "", open(mapfile).read(), flags=re.S)
    names = set()
    for block in re.findall(r"global:(.*?)(?:local:|\})", text, flags=re.S):
        for item in block.split(";"):
            item = item.strip()
            if item:
                if "*" in item:
                    sys.exit(f"{mapfile}: wildcard '{item}' in a global list; name every symbol")
                names.add(item)
    return names


def declared(include_dir):
    names = set()
    for root, _dirs, files in os.walk(include_dir):
        for f in files:
            if not f.endswith(".h"):
                continue
            text = open(os.path.join(root, f)).read()
            text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
            text = re.sub(r"^\s*#.*$", "", text, flags=re.M)
            for decl in re.findall(r"ARCHASE_API\s+([^;{]*?)\(", text, flags=re.S):
                m = re.search(r"(\w+)\s*$", decl)
                if m:
                    names.add(m.group(1))
    return names


def main():
    library, mapfile, include_dir = sys.argv[1:4]
    exp, mp, dec = exported(library), mapped(mapfile), declared(include_dir)
    ok = True
    bad = sorted(n for n in exp if not n.startswith("archase_"))
    if bad:
        ok = False
        print("exported symbols without the archase_ prefix:", ", ".join(bad))
    for label, a, b in (("exported but not in the map", exp, mp),
                        ("in the map but not exported", mp, exp),
                        ("declared ARCHASE_API but not in the map", dec, mp),
                        ("in the map but not declared ARCHASE_API", mp, dec)):
        diff = sorted(a - b)
        if diff:
            ok = False
            print(f"{label}: {', '.join(diff)}")
    print(f"{len(exp)} exported, {len(mp)} in the map, {len(dec)} declared")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
