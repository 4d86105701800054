#!/usr/bin/python3
# Verifies: the runtime image of docker/Dockerfile has every shared library tokengate needs (see below).
"""Checks that every shared library `ldd` says the built tokengate loads is in the runtime
image of docker/Dockerfile. No Docker engine runs here, so the image's libraries are taken
from docker/runtime-libs.txt: the `dpkg -L` shared objects of exactly the Debian packages
the runtime stage's `apt-get install` names (checked here, so the record cannot drift from
the Dockerfile), re-read from dpkg where those packages are installed on this machine (so
the record cannot go stale either).

usage: check_runtime_libs.py TOKENGATE DOCKERFILE RECORD
       check_runtime_libs.py --list-packages DOCKERFILE   (used by record-runtime-libs.sh)
"""
import os
import re
import subprocess
import sys


def runtime_packages(dockerfile):
    """The packages of `apt-get install` in the Dockerfile's last stage, in order."""
    with open(dockerfile, encoding="utf-8") as f:
        text = re.sub(r"\\\n", " ", f.read())  # join continuation lines
    stages = re.split(r"(?m)^\s*FROM\s", text)
    pkgs = []
    for run in re.findall(r"(?m)^\s*RUN\s+(.*)$", stages[-1]):
        for cmd in re.split(r"&&|;", run):
            words = cmd.split()
            if "apt-get" in words and "install" in words:
                pkgs += [w for w in words[words.index("install") + 1:] if not w.startswith("-")]
    return pkgs


def canonical(path):
    """Debian 12 images are usr-merged: /lib/x is /usr/lib/x."""
    for top in ("/lib/", "/lib64/"):
        if path.startswith(top):
            return "/usr" + path
    return path


def read_record(path):
    record = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                pkg, file = line.split()
                files = record.setdefault(pkg, set())
                if file != "-":  # a package without shared objects
                    files.add(file)
    return record


def dpkg_libs(pkg):
    """The package's shared objects per dpkg, or None when it is not installed here."""
    r = subprocess.run(["dpkg", "-L", pkg], capture_output=True, text=True)
    if r.returncode != 0:
        return None
    return {f for f in r.stdout.split("\n") if re.search(r"/[^/]+\.so(\.[0-9]+)*$", f) and not os.path.isdir(f)}


def needed_libraries(binary):
    """(name, resolved path) for each library ldd lists; the vDSO is in the kernel."""
    r = subprocess.run(["ldd", binary], capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        raise SystemExit(f"FAIL ldd {binary}: {r.stderr}")
    libs = []
    for line in r.stdout.splitlines():
        line = line.strip()
        if line.startswith("linux-vdso"):
            continue
        m = re.match(r"(\S+) => (\S+) \(0x", line) or re.match(r"((/\S+)) \(0x", line)
        if m is None:
            raise SystemExit(f"FAIL unexpected ldd line (a library not found?): {line}")
        libs.append((m.group(1), m.group(2)))
    return libs


def provider_of(libs, record):
    """(name, path, package or None) for each needed library."""
    provided = {canonical(f): pkg for pkg, files in record.items() for f in files}
    return [(name, resolved, provided.get(canonical(resolved))) for name, resolved in libs]


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--list-packages":
        print("\n".join(runtime_packages(sys.argv[2])))
        return 0
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    binary, dockerfile, record_path = sys.argv[1:]
    failures = []
    pkgs = runtime_packages(dockerfile)
    record = read_record(record_path)
    if not pkgs:
        failures.append(f"no apt-get install found in the runtime stage of {dockerfile}")
    if sorted(record) != sorted(pkgs):
        failures.append(f"{record_path} lists packages {sorted(record)}, the runtime stage installs {sorted(pkgs)}: "
                        "run docker/record-runtime-libs.sh")
    for pkg in pkgs:
        now = dpkg_libs(pkg)
        if now is None:
            print(f"note: {pkg} is not installed here; its record is used as it is")
        elif now != record.get(pkg, set()):
            failures.append(f"{record_path} is stale for {pkg} (dpkg -L differs): run docker/record-runtime-libs.sh")

    libs = needed_libraries(binary)
    if not libs:
        failures.append("ldd listed no library at all: not a dynamically linked binary?")
    for name, resolved, pkg in provider_of(libs, record):
        if pkg is None:
            failures.append(f"{name} ({resolved}) is needed by tokengate but no runtime-stage package provides it")
        else:
            print(f"ok {name:28} {resolved:50} from {pkg}")
    # Not vacuous: without any one of the packages providing a needed library, the same
    # comparison must fail.
    for pkg in sorted({p for _, _, p in provider_of(libs, record) if p}):
        without = {k: v for k, v in record.items() if k != pkg}
        if all(p is not None for _, _, p in provider_of(libs, without)):
            failures.append(f"self-check: dropping {pkg} from the runtime stage went unnoticed")
    for f in failures:
        print("FAIL " + f)
    if not failures:
        print(f"OK: all {len(libs)} libraries come from the runtime stage's packages ({', '.join(pkgs)})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
