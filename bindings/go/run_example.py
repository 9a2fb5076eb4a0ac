#!/usr/bin/env python3
"""Runs examples/go as its own module against the Go module of this build
tree, offline: copies main.go to a temporary directory with a go.mod whose
replace directive points at MODULE_DIR, then `go run .` there.

usage: run_example.py GO MODULE_DIR EXAMPLE_DIR -- ARGS...
"""
import os
import shutil
import subprocess
import sys
import tempfile


def main(argv):
    sep = argv.index("--")
    go, module_dir, example_dir = argv[:sep]
    args = argv[sep + 1:]
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(os.path.join(example_dir, "main.go"), tmp)
        with open(os.path.join(example_dir, "go.mod")) as f:
            mod = [line for line in f if not line.startswith("replace ")]
        mod.append(f"replace archase => {module_dir}\n")
        with open(os.path.join(tmp, "go.mod"), "w") as f:
            f.writelines(mod)
        env = dict(os.environ, GOFLAGS="-mod=mod", GOPROXY="off", GOTOOLCHAIN="local", GOWORK="off")
        return subprocess.run([go, "run", "."] + args, cwd=tmp, env=env).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
