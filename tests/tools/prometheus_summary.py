#!/usr/bin/python3
"""Parses Prometheus text exposition (stdin) with the reference Python parser
(Debian's python3-prometheus-client) and prints a canonical summary for tests:

    family NAME TYPE            one line per family, in input order
    SAMPLE{k="v",...} VALUE     one line per sample; labels sorted, values JSON-quoted
                                ("SAMPLE VALUE" without labels), integral values without
                                a fraction

Besides what the parser enforces, checks what it tolerates: every family has HELP text
and a counter, gauge or histogram type; histogram buckets are cumulative and end with
le="+Inf" equal to _count. Violations go to stderr with exit status 1.
"""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families


def value_text(v):
    return str(int(v)) if v == int(v) else repr(v)


def series_key(sample):
    labels = ",".join(f"{k}={json.dumps(v)}" for k, v in sorted(sample.labels.items()) if k != "le")
    return labels


def check_histogram(family, problems):
    by_series = {}
    for s in family.samples:
        by_series.setdefault(series_key(s), []).append(s)
    for key, samples in by_series.items():
        buckets = [s for s in samples if s.name == family.name + "_bucket"]
        counts = [s.value for s in samples if s.name == family.name + "_count"]
        if not buckets or buckets[-1].labels.get("le") != "+Inf":
            problems.append(f"{family.name}{{{key}}}: no final le=\"+Inf\" bucket")
            continue
        values = [b.value for b in buckets]
        if values != sorted(values):
            problems.append(f"{family.name}{{{key}}}: buckets not cumulative: {values}")
        bounds = [float(b.labels["le"]) for b in buckets]
        if bounds != sorted(bounds):
            problems.append(f"{family.name}{{{key}}}: le bounds not ascending: {bounds}")
        if counts != [values[-1]]:
            problems.append(f"{family.name}{{{key}}}: _count {counts} differs from the +Inf bucket {values[-1]}")


def main():
    text = sys.stdin.read()
    problems = []
    out = []
    for family in text_string_to_metric_families(text):
        if family.type not in ("counter", "gauge", "histogram"):
            problems.append(f"{family.name}: type {family.type} (no # TYPE line?)")
        if not family.documentation:
            problems.append(f"{family.name}: no # HELP text")
        if family.type == "histogram":
            check_histogram(family, problems)
        out.append(f"family {family.name} {family.type}")
        for s in family.samples:
            labels = ",".join(f"{k}={json.dumps(v)}" for k, v in sorted(s.labels.items()))
            out.append(f"{s.name}{{{labels}}} {value_text(s.value)}" if labels else f"{s.name} {value_text(s.value)}")
    for p in problems:
        print(p, file=sys.stderr)
    print("\n".join(out))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
