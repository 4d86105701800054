#!/usr/bin/python3
"""Validates config/examples/*.json against config/tokengate.schema.json with a real
JSON Schema validator (Debian's python3-jsonschema, Draft 2020-12) and runs
`tokengate check-config` on each; both must accept every example. Then both must refuse
each file of the negative set, for the reason expected of it, which shows the schema is
not vacuous. No network: check-config does not fetch remote keys.

usage: check_config_examples.py TOKENGATE SCHEMA EXAMPLES_DIR NEGATIVE_DIR
"""
import glob
import json
import os
import re
import subprocess
import sys

import jsonschema

# What each negative file must be refused for: (a fragment of a schema error's path or
# message, a fragment of check-config's error).
NEGATIVE = {
    "misspelt_key.json": ("'leway_s' was unexpected", 'unknown key "leway_s" (did you mean "leeway_s"?)'),
    "alg_none.json": ("'none' is not one of", "alg none can never be configured"),
    "http_jwks.json": ("'allow_http_jwks' is a required property", 'set "allow_http_jwks": true'),
}

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL " + msg)


def environment_for(text):
    """Every ${NAME} and secret_env the file names, set to a harmless value."""
    env = dict(os.environ)
    for name in re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", text):
        env[name] = "example-" + name.lower().replace("_", "-")
    for name in re.findall(r'"secret_env"\s*:\s*"([^"]+)"', text):
        env[name] = "0123456789abcdef" * 4  # 64 bytes: long enough for HS512
    return env


def check_config(tokengate, path, env):
    return subprocess.run([tokengate, "check-config", path], env=env, capture_output=True, text=True, timeout=30)


def schema_errors(validator, path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in validator.iter_errors(doc)]


def main():
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    tokengate, schema_path, examples_dir, negative_dir = sys.argv[1:]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)

    examples = sorted(glob.glob(os.path.join(examples_dir, "*.json")))
    if not examples:
        fail(f"no examples in {examples_dir}")
    for path in examples:
        name = os.path.basename(path)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        errors = schema_errors(validator, path)
        if errors:
            fail(f"{name}: schema refuses an example: {errors}")
        ref = json.loads(text).get("$schema")
        if ref is not None and os.path.realpath(os.path.join(examples_dir, ref)) != os.path.realpath(schema_path):
            fail(f"{name}: $schema {ref!r} does not lead to {schema_path}")
        r = check_config(tokengate, path, environment_for(text))
        if r.returncode != 0 or r.stdout != "config OK\n" or r.stderr:
            fail(f"{name}: check-config exit {r.returncode}, stdout {r.stdout!r}, stderr {r.stderr!r}")
        else:
            print(f"ok   {name}: schema and check-config accept it, without warnings")

    negatives = sorted(glob.glob(os.path.join(negative_dir, "*.json")))
    if sorted(map(os.path.basename, negatives)) != sorted(NEGATIVE):
        fail(f"negative files {negatives} do not match the expectations {sorted(NEGATIVE)}")
    for path in negatives:
        name = os.path.basename(path)
        schema_reason, config_reason = NEGATIVE.get(name, ("", ""))
        errors = schema_errors(validator, path)
        if not any(schema_reason in e for e in errors):
            fail(f"{name}: schema should refuse it with {schema_reason!r}, said {errors}")
        with open(path, encoding="utf-8") as f:
            text = f.read()
        r = check_config(tokengate, path, environment_for(text))
        if r.returncode != 1 or config_reason not in r.stderr:
            fail(f"{name}: check-config should exit 1 with {config_reason!r}: exit {r.returncode}, {r.stderr!r}")
        else:
            print(f"ok   {name}: refused by the schema ({errors[0]}) and by check-config")

    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
