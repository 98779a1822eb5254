#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""coverage.py: the file-dynptr code's coverage, per function, per runner.

Reads lcov tracefiles (NAME=TRACE, one per runner: the first is the one
judged), the regions and unreachable lines of vmtest/coverage.ini and the
kernel sources, and writes a Markdown and a JSON table: per function and
runner, lines hit / counted, branches taken / counted, and the first
runner's uncovered lines with their source text. The rest of each profiled
file is summed apart, never mixed in.

Exit 0 when every counted line is covered by the first runner or listed as
unreachable, and no listed line is covered; 1 otherwise; 2 when the regions
file does not match the sources (a text that matches no line, or several).
"""

import argparse
import configparser
import json
import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INI = os.path.join(TOP, "vmtest", "coverage.ini")


class Bad(Exception):
    """The regions file does not fit the sources."""


def read_trace(path):
    """{source path: {"fn": {name: line}, "da": {line: hits},
    "br": {line: [taken or None]}}} from an lcov tracefile."""
    files, cur = {}, None
    with open(path) as f:
        for line in f:
            key, _, val = line.rstrip("\n").partition(":")
            if key == "SF":
                cur = files.setdefault(os.path.normpath(val), {"fn": {}, "da": {}, "br": {}})
            elif key == "FN":
                ln, name = val.split(",", 1)
                cur["fn"][name] = int(ln)
            elif key == "DA":
                ln, hits = val.split(",")[:2]
                cur["da"][int(ln)] = cur["da"].get(int(ln), 0) + int(hits)
            elif key == "BRDA":
                ln, _blk, _br, taken = val.split(",")
                cur["br"].setdefault(int(ln), []).append(None if taken == "-" else int(taken))
    return files


def trace_file(trace, rel):
    """The tracefile's record of the source file REL (paths end alike)."""
    hits = [p for p in trace if p.endswith("/" + rel)]
    return trace[hits[0]] if len(hits) == 1 else None


def indent(text):
    return len(text.expandtabs(8)) - len(text.expandtabs(8).lstrip())


def function_lines(src, start):
    """The line numbers of the function whose definition starts at START:
    to the brace that closes its body."""
    depth, seen = 0, False
    for n in range(start, len(src) + 1):
        code = re.sub(r'"(\\.|[^"\\])*"|\'(\\.|[^\'\\])*\'|//.*', "", src[n - 1])
        depth += code.count("{") - code.count("}")
        seen = seen or "{" in code
        if seen and depth == 0:
            return range(start, n + 1)
    raise Bad(f"no end of the function starting at line {start}")


def definition(src, name, rec, what):
    """The line where function NAME's definition starts: the tracefile's
    FN record, else the source's one line that begins with its type and
    name (GCC inlines small static functions before it counts, and leaves
    no FN record for them)."""
    if name in rec["fn"]:
        return rec["fn"][name]
    pat = re.compile(r"^[A-Za-z_][^;=]*\b" + re.escape(name) + r"\(")
    hits = [n for n, line in enumerate(src, 1)
            if pat.match(line) and not line.rstrip().endswith(";")]
    if len(hits) != 1:
        raise Bad(f"{what}: {len(hits)} definitions of {name}() in the source, not one")
    return hits[0]


def find(src, lines, text, what):
    """The one line of LINES holding TEXT."""
    hits = [n for n in lines if text in src[n - 1]]
    if len(hits) != 1:
        raise Bad(f"{what}: '{text}' matches {len(hits)} lines, not one")
    return hits[0]


def block(src, lines, text, what):
    """The line holding TEXT and the lines after it indented deeper; a
    brace alone on a line at TEXT's indentation opens or closes a body that
    belongs to it too ("case X:" then "{" ... "}")."""
    first = find(src, lines, text, what)
    out, depth, braces = [first], indent(src[first - 1]), 0
    for n in range(first + 1, lines[-1] + 1):
        line = src[n - 1]
        if line.strip() and indent(line) <= depth:
            if indent(line) == depth and line.strip() == "{":
                braces += 1
            elif indent(line) == depth and line.strip() == "}" and braces:
                braces -= 1
            else:
                break
        out.append(n)
    return out


def in_order(src, lines, wanted, what, after=None):
    """The lines holding each text of WANTED: the first text's one line
    (its first line after the one line holding AFTER, if given), then each
    next text's first line after the one before."""
    if not wanted:
        raise Bad(f"{what}: no text (or whole = yes)")
    if after:
        start = find(src, lines, after, what)
        hits = [n for n in lines if n > start and wanted[0] in src[n - 1]]
        if not hits:
            raise Bad(f"{what}: no '{wanted[0]}' after '{after}'")
        out = [hits[0]]
    else:
        out = [find(src, lines, wanted[0], what)]
    for t in wanted[1:]:
        hits = [n for n in lines if n > out[-1] and t in src[n - 1]]
        if not hits:
            raise Bad(f"{what}: no '{t}' after line {out[-1]}")
        out.append(hits[0])
    return out


def texts(value):
    return [t.strip() for t in (value or "").splitlines() if t.strip()]


def regions(cfg, kernel_src, trace):
    """[(name, file, counted lines, skipped lines)] of the regions file,
    found in the sources through the first runner's FN records."""
    out, sources = [], {}
    for sec in cfg.sections():
        kind, _, name = sec.partition(" ")
        if kind != "region":
            continue
        r = cfg[sec]
        rel = r["file"]
        if rel not in sources:
            with open(os.path.join(kernel_src, rel), errors="replace") as f:
                sources[rel] = f.read().split("\n")
        src = sources[rel]
        rec = trace_file(trace, rel)
        if rec is None:
            raise Bad(f"[{sec}]: {rel} is not in the tracefile (not profiled?)")
        body = function_lines(src, definition(src, r["function"], rec, f"[{sec}]"))
        counted = set(body)
        if texts(r.get("blocks")):
            counted = set()
            for t in texts(r["blocks"]):
                counted.update(block(src, body, t, f"[{sec}] blocks"))
        skipped = set()
        for t in texts(r.get("skip")):
            skipped.update(block(src, body, t, f"[{sec}] skip"))
        out.append((name, rel, r["function"], sorted(counted - skipped), sorted(skipped)))
    return out, sources


def unreachable(cfg, sources, found):
    """{(file, line): (section, reason)} of the [unreachable] sections."""
    out = {}
    for sec in cfg.sections():
        if not sec.startswith("unreachable "):
            continue
        u = cfg[sec]
        for name, rel, fn, counted, _ in found:
            if rel == u["file"] and fn == u["function"]:
                lines = counted if u.get("whole") == "yes" else \
                    in_order(sources[rel], counted, texts(u.get("text")), f"[{sec}]",
                             u.get("after"))
                for n in lines:
                    out[(rel, n)] = (sec, u["reason"])
                break
        else:
            raise Bad(f"[{sec}]: no counted region is {u['function']} of {u['file']}")
    return out


def measure(rec, lines):
    """Lines hit / instrumented and branches taken / counted, over LINES."""
    da = {n: rec["da"][n] for n in lines if n in rec["da"]}
    br = [t for n in lines for t in rec["br"].get(n, [])]
    return {"lines_hit": sum(1 for h in da.values() if h), "lines": len(da),
            "branches_taken": sum(1 for t in br if t), "branches": len(br)}


def rest_of_file(rec, found, rel):
    """The same counts for the lines of REL outside every region."""
    mine = {n for _, r, _, counted, skipped in found if r == rel for n in counted + skipped}
    return measure(rec, [n for n in rec["da"] if n not in mine])


def pct(a, b):
    return f"{100 * a / b:.0f}%" if b else "-"


def report(runs, found, sources, unreach):
    """The JSON object: per region and runner the counts; the first
    runner's uncovered lines; the verdict's problems."""
    out = {"runners": [n for n, _ in runs], "functions": [], "rest": {}, "problems": []}
    for name, rel, fn, counted, _ in found:
        row = {"region": name, "file": rel, "function": fn, "runs": {}, "uncovered": [],
               "unreachable": [], "branches_not_taken": []}
        for run, trace in runs:
            row["runs"][run] = measure(trace_file(trace, rel), counted)
        first = trace_file(runs[0][1], rel)
        for n in counted:
            br = first["br"].get(n, [])
            if any(not t for t in br):
                row["branches_not_taken"].append({"line": n, "text": sources[rel][n - 1].strip(),
                                                  "taken": sum(1 for t in br if t), "of": len(br)})
            if n not in first["da"]:
                continue
            text = sources[rel][n - 1].strip()
            where = f"{rel}:{n} {fn}(): {text}"
            if (rel, n) in unreach:
                row["unreachable"].append({"line": n, "text": text, "entry": unreach[(rel, n)][0]})
                if first["da"][n]:
                    out["problems"].append(f"{where}: covered, but {unreach[(rel, n)][0]} calls it unreachable")
            elif not first["da"][n]:
                row["uncovered"].append({"line": n, "text": text})
                out["problems"].append(f"{where}: not covered by {runs[0][0]}")
        out["functions"].append(row)
    for rel in sorted({r for _, r, _, _, _ in found}):
        out["rest"][rel] = {run: rest_of_file(trace_file(t, rel), found, rel) for run, t in runs}
    return out


def markdown(rep):
    runs = rep["runners"]
    head = "| function | " + " | ".join(f"{r}: lines | {r}: branches" for r in runs) + " |"
    out = [head, "|---|" + "---|---|" * len(runs)]
    for row in rep["functions"]:
        cells = []
        for r in runs:
            m = row["runs"][r]
            cells += [f"{m['lines_hit']}/{m['lines']}",
                      f"{m['branches_taken']}/{m['branches']} ({pct(m['branches_taken'], m['branches'])})"]
        out.append(f"| `{row['function']}` ({row['file']}) | " + " | ".join(cells) + " |")
    out += ["", f"Uncovered by {runs[0]} (and not listed unreachable in vmtest/coverage.ini):", ""]
    gaps = [f"- `{row['file']}:{u['line']}` `{row['function']}()`: `{u['text']}`"
            for row in rep["functions"] for u in row["uncovered"]]
    out += gaps or ["- none"]
    out += ["", f"Lines with branches {runs[0]} did not take (taken/all):", ""]
    out += [f"- `{row['file']}:{b['line']}` `{row['function']}()`: {b['taken']}/{b['of']} `{b['text']}`"
            for row in rep["functions"] for b in row["branches_not_taken"]] or ["- none"]
    out += ["", "The rest of each profiled file (not counted above):", ""]
    for rel, by_run in rep["rest"].items():
        out.append(f"- {rel}: " + "; ".join(
            f"{r} {m['lines_hit']}/{m['lines']} lines" for r, m in by_run.items()))
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("runs", nargs="+", metavar="NAME=TRACE")
    ap.add_argument("--src", required=True, help="the kernel source tree")
    ap.add_argument("--ini", default=INI, help="the regions file (default: %(default)s)")
    ap.add_argument("--md", help="write the Markdown table here (default: stdout)")
    ap.add_argument("--json", help="write the JSON here")
    args = ap.parse_args()
    runs = []
    for spec in args.runs:
        name, eq, path = spec.partition("=")
        if not eq or not os.path.isfile(path):
            ap.error(f"{spec}: give NAME=TRACEFILE, an lcov tracefile")
        runs.append((name, read_trace(path)))
    cfg = configparser.ConfigParser(interpolation=None)
    cfg.read(args.ini)
    try:
        found, sources = regions(cfg, args.src, runs[0][1])
        unreach = unreachable(cfg, sources, found)
        rep = report(runs, found, sources, unreach)
    except (Bad, KeyError, OSError) as e:
        print(f"coverage: {args.ini}: {e}", file=sys.stderr)
        return 2
    text = markdown(rep)
    if args.md:
        with open(args.md, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rep, f, indent=1)
    for p in rep["problems"]:
        print(f"coverage: {p}", file=sys.stderr)
    return 1 if rep["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
