#!/usr/bin/env python3
"""The README's findings, from the reference runs (scripts/make-docs.sh).

Reads results/reference/articles/ and results/reference/default/ (their
results.csv and context.json) and prints a Markdown block of findings, each
with its number and 95% confidence interval, all taken from the paired
per-round ratios vtbench writes (ratio, ratio_ci_low, ratio_ci_high). With
--readme README.md it replaces the block between the markers
<!-- findings:begin --> and <!-- findings:end --> in that file instead.
  scripts/findings.py [--reference DIR] [--readme FILE]
"""
import argparse
import csv
import json
import os
import re
import sys


def rows(run):
    with open(os.path.join(run, "results.csv"), newline="") as f:
        return list(csv.DictReader(f))


def pick(table, impl, **axes):
    for r in table:
        if r["impl"] == impl and all(r.get(k) == v for k, v in axes.items()):
            return r
    raise SystemExit(f"findings: no {impl} row with {axes}")


def ratio(r):
    """"1.99x [1.95, 2.02]"; with three decimals when two would round an
    interval that excludes 1 onto 1.00, so that a sentence calling the
    difference measurable never shows an interval that seems to touch 1."""
    value, low, high = float(r["ratio"]), float(r["ratio_ci_low"]), float(r["ratio_ci_high"])
    digits = 2
    if (high < 1.0 and round(high, 2) >= 1.0) or (low > 1.0 and round(low, 2) <= 1.0):
        digits = 3
    return f"{value:.{digits}f}x [{low:.{digits}f}, {high:.{digits}f}]"


def number(r, column, fmt="{:.1f}"):
    return fmt.format(float(r[column]))


def context_of(run):
    with open(os.path.join(run, "context.json")) as f:
        return json.load(f)


def find(obj, key):
    if isinstance(obj, dict):
        if key in obj:
            return obj[key]
        for v in obj.values():
            found = find(v, key)
            if found is not None:
                return found
    return None


def build_of(run):
    ctx = context_of(run)
    revision = find(ctx, "git_revision") or find(ctx, "vtbench_revision") or "unknown"
    return revision, find(ctx, "lto"), find(ctx, "num_cpus"), find(ctx, "cpu_model")


def calls(n):
    """An operation count as the scenario files write it: 1M, 100k (from the
    run's results.csv, so that a --quick reference says 100k, not 1M)."""
    n = int(n)
    for size, suffix in ((1000000, "M"), (1000, "k")):
        if n >= size and (n * 10) % size == 0:
            return f"{n / size:g}{suffix}"
    return f"{n:,}"


def threads_word(n):
    words = {"1": "one thread", "2": "two threads"}
    return words.get(str(n), f"{n} threads")


def includes_one(r):
    return float(r["ratio_ci_low"]) <= 1.0 <= float(r["ratio_ci_high"])


def side(r):
    """'faster' or 'slower' than the reference when the interval excludes 1."""
    if float(r["ratio_ci_high"]) < 1.0:
        return "faster"
    if float(r["ratio_ci_low"]) > 1.0:
        return "slower"
    return None


def miss_sentence(alloc, pooled, value, default_misses):
    """At 0% hits: the articles' run, then every thread count of default.ini.

    default_misses maps an implementation to its rows at hit ratio 0 in
    default.ini, fewest threads first."""
    rows = [alloc, pooled] + [r for table in default_misses.values() for r in table]
    if all(includes_one(r) for r in rows):
        head = "On a miss the strategies cannot be told apart"
    elif all(abs(float(r["ratio"]) - 1.0) < 0.05 for r in rows):
        head = "On a miss the strategies differ by a few percent at most"
    else:
        head = "On a miss the strategies differ"
    articles = (f"At 0% hits in `scenarios/articles.ini` ({threads_word(alloc['threads'])}) "
                f"alloc-task takes {ratio(alloc)} and pooled {ratio(pooled)} value-task's time")
    apart = [(name, side(r)) for name, r in (("alloc-task", alloc), ("pooled", pooled)) if side(r)]
    if not apart:
        articles += "; both intervals include 1, so the three cannot be told apart."
    else:
        articles += ("; " + " and ".join(f"{name} is measurably {s}" for name, s in apart)
                     + " than value-task.")
    measured, alike = [], []
    for name, table in default_misses.items():
        sides = {side(r) for r in table} - {None}
        if not sides:
            alike.append(name)
            continue
        how = (f"measurably {sides.pop()} than value-task" if len(sides) == 1
               else "measurably different from value-task")
        figures = " and ".join(
            f"{ratio(r)} on {threads_word(r['threads'])}"
            + ("" if side(r) else " (its interval includes 1)") for r in table)
        measured.append(f"{name} is {how}, {figures}")
    if measured:
        default = "In `scenarios/default.ini` " + "; ".join(measured)
        if alike:
            default += f", while {' and '.join(alike)}'s intervals include 1 at every thread count"
    else:
        default = "In `scenarios/default.ini` every interval includes 1, at every thread count"
    return (f"- **{head}** (the miss path is shared). {articles} {default}. Pooled is the one "
            f"that allocates nothing per miss ({number(pooled, 'bytes_per_op', '{:.0f}')} "
            f"bytes against {number(value, 'bytes_per_op', '{:.0f}')}).")


def findings(ref):
    articles, default = os.path.join(ref, "articles"), os.path.join(ref, "default")
    a, d = rows(articles), rows(default)
    hit_alloc = pick(a, "alloc-task", hit_ratio_target="1")
    hit_value = pick(a, "value-task", hit_ratio_target="1")
    hit_pooled = pick(a, "pooled", hit_ratio_target="1")
    miss_alloc = pick(a, "alloc-task", hit_ratio_target="0")
    miss_pooled = pick(a, "pooled", hit_ratio_target="0")
    miss_value = pick(a, "value-task", hit_ratio_target="0")
    # Break-even, one thread: the lowest hit ratio at which alloc-task is
    # measurably slower than value-task (its ratio's CI wholly above 1).
    one = sorted((r for r in d if r["impl"] == "alloc-task" and r["threads"] == "1"),
                 key=lambda r: float(r["hit_ratio_target"]))
    below = [r for r in one if float(r["ratio_ci_low"]) <= 1.0]
    above = [r for r in one if float(r["ratio_ci_low"]) > 1.0]
    first = min(above, key=lambda r: float(r["hit_ratio_target"])) if above else None
    default_misses = {
        impl: sorted((r for r in d if r["impl"] == impl and float(r["hit_ratio_target"]) == 0),
                     key=lambda r: int(r["threads"]))
        for impl in ("alloc-task", "pooled")}
    revision, lto, cpus, cpu_model = build_of(articles)
    pct = lambda r: f"{float(r['hit_ratio_target']) * 100:g}%"
    lines = [
        f"- **A cache hit through a heap task costs {ratio(hit_alloc)} the time of one through a "
        f"value result** ({number(hit_alloc, 'ns_per_op')} against {number(hit_value, 'ns_per_op')} "
        f"ns per call; alloc-task over value-task, `scenarios/articles.ini`, "
        f"{calls(hit_alloc['ops'])} calls per round at 100% hits, "
        f"{threads_word(hit_alloc['threads'])}). The articles claim 3x to 10x; the primary .NET "
        f"measurement is 1.6x ([docs/claims.md](docs/claims.md)).",
        f"- **What differs is the allocation:** alloc-task allocates "
        f"{number(hit_alloc, 'allocs_per_op', '{:.0f}')} task per hit, "
        f"{number(hit_alloc, 'requested_bytes_per_op', '{:.0f}')} bytes requested and "
        f"{number(hit_alloc, 'bytes_per_op', '{:.0f}')} in jemalloc's size class; value-task and "
        f"pooled allocate {number(hit_value, 'bytes_per_op', '{:.0f}')} and "
        f"{number(hit_pooled, 'bytes_per_op', '{:.0f}')} bytes per hit. Pooled's hit costs "
        f"{ratio(hit_pooled)} value-task's.",
        miss_sentence(miss_alloc, miss_pooled, miss_value, default_misses),
    ]
    if first is not None:
        cut = float(first["hit_ratio_target"])
        lower = [r for r in one if float(r["hit_ratio_target"]) < cut]
        higher = [r for r in one if float(r["hit_ratio_target"]) >= cut]
        clean = all(includes_one(r) for r in lower) and all(r in above for r in higher)
        tail = ("below that the intervals include 1" if clean else
                "not at every hit ratio above it (see docs/results.md)")
        lines.append(
            f"- **Where it starts to matter:** on one thread alloc-task is measurably slower than "
            f"value-task from {pct(first)} hits on ({ratio(first)}; "
            f"{ratio(one[-1])} at {pct(one[-1])}); {tail} (`scenarios/default.ini`, the chart "
            f"below).")
    caption = ("*Time per call against the hit ratio on one thread (solid) and two (dashed), "
               "`scenarios/default.ini`, log scale; bars are "
               "95% confidence intervals. From the reference run behind [docs/results.md]"
               "(docs/results.md).*")
    chart = "[![Time per call versus hit ratio](results/reference/default/report/ns-per-op.svg)](docs/results.md)"
    machine = (f"a {cpus}-vCPU VM" if cpus else "a VM") + (f" ({cpu_model})" if cpu_model else "")
    build = (f"Measured by `scripts/make-docs.sh` at commit `{revision}` "
             f"({'with' if lto else 'without'} link-time optimisation) on {machine}; "
             f"ratios are paired per round (docs/claims.md says how).")
    return "\n".join(lines + ["", build, "", chart, "", caption])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--reference", default="results/reference")
    p.add_argument("--readme")
    args = p.parse_args()
    block = findings(args.reference)
    if not args.readme:
        print(block)
        return 0
    text = open(args.readme).read()
    pattern = re.compile(r"(<!-- findings:begin -->\n).*?(\n<!-- findings:end -->)", re.S)
    if not pattern.search(text):
        raise SystemExit(f"findings: {args.readme} has no findings markers")
    text = pattern.sub(lambda m: m.group(1) + block + m.group(2), text)
    open(args.readme, "w").write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
