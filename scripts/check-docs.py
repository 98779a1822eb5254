#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""check-docs.py: README.md and docs/*.md agree with themselves and the tree.

Fails when
  - two places quote different whole-suite counts (passed / failed /
    skipped, and XFAIL where given) for one kernel: the figures of one run
    copied somewhere and not measured again;
  - a number of tests quoted ("15 tests selected", "Fifteen tests", the
    control kernel's skips) is not the number of themes in prog_tests/;
  - a numbers: block is malformed, twice, or names no scripts/numbers.py part;
  - a relative link (file, or file#heading) does not resolve;
  - a failure line quoted (in SEMANTICS.md too) is not one the README's
    real failure (numbers:failure) printed.
Standard library only, no guest: seconds. Prints "N passed, N failed" last.
"""
import glob
import importlib.util
import os
import re
import sys

TOP = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
WORDS = {w: n for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen twenty".split())}
# The kernel without the kfunc: a whole run there skips every test.
CONTROL = "6.18.15"
VERSION = r"\d+\.\d+\.\d+"
LABEL_RE = re.compile(rf"^(?:Debian cloud )?(?:([a-z0-9-]+)[: ])?({VERSION})$")
COUNTS = r"(\d+) passed, (\d+) failed, (\d+) skipped"
BENCH_RE = re.compile(rf"whole suite on (?:([a-z0-9-]+) )?({VERSION})[^(|]*\({COUNTS}"
                      r"(?:, (\d+) of them XFAIL)?\)")
LINK_RE = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
# A failure line as the runner prints it, quoted as an example.
FAIL_RE = re.compile(r"(prog_tests/\w+\.c:\d+): FAIL \[(R-[A-Z]+-\d+)\]")
FAILURE_BLOCK_RE = re.compile(r"<!-- numbers:failure begin.*?<!-- numbers:failure end -->", re.S)
sys.path.insert(0, os.path.join(TOP, "vmtest"))
from results import Checks  # noqa: E402


def load_numbers():
    """scripts/numbers.py as a module (its name is the standard library's)."""
    spec = importlib.util.spec_from_file_location(
        "numbers_py", os.path.join(TOP, "scripts", "numbers.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def kernel_label(text):
    """A column head or a phrase naming a Debian kernel, as vmtest -k names
    it (cloud-amd64, x86_64's default flavour, without its prefix)."""
    m = LABEL_RE.match(text.strip().strip("`"))
    if not m:
        return None
    flavour, version = m.groups()
    return version if flavour in (None, "cloud-amd64") else f"{flavour}:{version}"


def cells(line):
    return [c.strip() for c in line.strip().strip("|").split("|")]


def table_claims(lines, where):
    """Whole-suite counts in Markdown tables whose columns are kernels: a
    "passed / failed / skipped" row (matrix.sh's), or cells that say
    "N passed, N failed, N skipped" (toolchains.sh's)."""
    out, head = [], None
    for n, line in enumerate(lines, 1):
        if not line.startswith("|"):
            head = None
            continue
        row = cells(line)
        if head is None:
            head = [kernel_label(c) for c in row]
            xfail_row = {}
            continue
        for i, cell in enumerate(row):
            kernel = head[i] if i < len(head) else None
            if not kernel:
                continue
            m = re.match(r"^(\d+) / (\d+) / (\d+)(?: / \d+)?$", cell)
            if row[0] == "passed / failed / skipped" and m:
                out.append([kernel, tuple(map(int, m.groups())), None, f"{where}:{n}"])
                xfail_row[i] = out[-1]
            elif row[0].startswith("XFAIL / XPASS / TIMEOUT") and m and i in xfail_row:
                xfail_row[i][2] = int(m.group(1))
            elif re.match(COUNTS, cell):
                m = re.match(COUNTS, cell)
                out.append([kernel, tuple(map(int, m.groups())), None, f"{where}:{n}"])
    return out


def output_claims(lines, where):
    """Whole runs shown as output: "$ vmtest/vmtest.sh -k KERNEL" alone,
    then its closing counts."""
    out, kernel, xfail = [], None, None
    for n, line in enumerate(lines, 1):
        m = re.match(r"^\$ vmtest/vmtest\.sh -k (\S+)$", line)
        if m or line.startswith("$ "):
            kernel, xfail = (kernel_label(m.group(1)) if m else None), None
            continue
        m = re.match(r"^(\d+) XFAIL \(counted as passed\)", line)
        if m:
            xfail = int(m.group(1))
        m = re.match(rf"^{COUNTS}$", line)
        if m and kernel:
            out.append([kernel, tuple(map(int, m.groups())), xfail, f"{where}:{n}"])
            kernel = None
    return out


def bench_claims(lines, where):
    out = []
    for n, line in enumerate(lines, 1):
        for m in BENCH_RE.finditer(line):
            flavour, version, p, f, s, x = m.groups()
            kernel = kernel_label(f"{flavour}:{version}" if flavour else version)
            out.append([kernel, (int(p), int(f), int(s)), int(x) if x else None, f"{where}:{n}"])
    return out


def check_counts(claims):
    """One check per kernel: every place quotes the same figures."""
    results = []
    by_kernel = {}
    for kernel, counts, xfail, where in claims:
        by_kernel.setdefault(kernel, []).append((counts, xfail, where))
    for kernel, quoted in sorted(by_kernel.items()):
        counts = {c for c, _, _ in quoted}
        xfails = {x for _, x, _ in quoted if x is not None}
        if len(counts) > 1 or len(xfails) > 1:
            said = "; ".join(f"{w}: {c[0]} passed, {c[1]} failed, {c[2]} skipped"
                             + (f", {x} XFAIL" if x is not None else "") for c, x, w in quoted)
            results.append((False, f"whole-suite counts on {kernel} disagree: {said}"))
        else:
            results.append((True, f"whole-suite counts on {kernel}, quoted {len(quoted)} times"))
    return results


def count_tests():
    names = set()
    for path in glob.glob(os.path.join(TOP, "prog_tests", "*.c")):
        with open(path) as f:
            names.update(re.findall(r"^void test_(\w+)\(void\)", f.read(), re.M))
    return len(names)


def check_test_count(texts, claims, tests):
    results = []
    for where, lines in texts:
        for n, line in enumerate(lines, 1):
            for m in re.finditer(r"\b(\w+) tests(?: selected|, one theme each)", line):
                word = m.group(1).lower()
                said = int(word) if word.isdigit() else WORDS.get(word)
                if said is not None:
                    results.append((said == tests, f"{where}:{n}: \"{m.group(0)}\" "
                                    f"({tests} themes in prog_tests/)"))
    for kernel, counts, _, where in claims:
        if kernel == CONTROL:
            results.append((counts == (0, 0, tests), f"{where}: the control kernel {CONTROL} "
                            f"skips every one of the {tests} tests"))
    return results


def slug(heading):
    """The anchor GitHub gives a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower().replace("`", ""))
    return text.replace(" ", "-")


def anchors(path):
    with open(path) as f:
        return {slug(m) for m in re.findall(r"^#+ (.*)$", strip_code(f.read()), re.M)}


def strip_code(text):
    return re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)


def check_links(path, text):
    results = []
    where = os.path.relpath(path, TOP)
    for target in LINK_RE.findall(strip_code(text)):
        if re.match(r"^[a-z]+:", target):
            continue
        file, _, frag = target.partition("#")
        dest = os.path.normpath(os.path.join(os.path.dirname(path), file)) if file else path
        ok = os.path.exists(dest)
        if ok and frag and dest.endswith(".md"):
            ok = frag in anchors(dest)
        results.append((ok, f"{where}: link {target}" + ("" if ok else " does not resolve")))
    return results


def check_failure_quotes(texts):
    """A failure line quoted anywhere (SEMANTICS.md too) is one that the
    README's real failure (numbers:failure) printed."""
    readme = "\n".join(texts[0][1])
    block = FAILURE_BLOCK_RE.search(readme)
    real = set(FAIL_RE.findall(block.group(0))) if block else set()
    results = [(bool(real), "README.md: numbers:failure shows a failure line")]
    with open(os.path.join(TOP, "SEMANTICS.md")) as f:
        others = texts + [("SEMANTICS.md", f.read().splitlines())]
    for where, lines in others:
        text = "\n".join(lines)
        if where == "README.md":
            text = FAILURE_BLOCK_RE.sub("", text)
        for quote in FAIL_RE.findall(text):
            results.append((quote in real, f"{where}: quotes \"{quote[0]}: FAIL [{quote[1]}]\""
                            + ("" if quote in real else ", which the real failure did not print")))
    return results


def main():
    numbers = load_numbers()
    texts, claims, results = [], [], []
    for path in numbers.doc_files():
        with open(path) as f:
            text = f.read()
        where, lines = os.path.relpath(path, TOP), text.splitlines()
        texts.append((where, lines))
        claims += table_claims(lines, where) + output_claims(lines, where) + \
            bench_claims(lines, where)
        results += check_links(path, text)
    _, problems = numbers.all_regions()
    results += [(False, p) for p in problems] or [(True, "numbers: blocks, each a part, once")]
    results += check_counts(claims)
    results += check_test_count(texts, claims, count_tests())
    results += check_failure_quotes(texts)
    c = Checks()
    for ok, msg in sorted(results, key=lambda r: r[0]):
        c.passed += ok
        c.failed += not ok
        if not ok or "-v" in sys.argv[1:]:
            print(("ok   " if ok else "FAIL ") + msg)
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
