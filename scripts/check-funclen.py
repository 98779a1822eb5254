#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""No function longer than a screenful: every function of the project's C,
Python and shell sources is at most MAX lines, from the first line of its
definition to its closing line, comments and blank lines included.

Usage: scripts/check-funclen.py [--max N] [FILE...]  (default: the tracked files)

Prints each function over the limit as FILE:LINE: NAME: N lines, then
"N passed, N failed" (files). Exit 1 when one function is over.
C: a definition is a line at column 0 that opens with an identifier and is
followed, through its parameter lines, by a '{' alone at column 0 (kernel
style); it ends at the next '}' at column 0. Python: each def (ast). Shell:
NAME() or 'function NAME', ending at the '}' of the same indentation.
"""
import ast
import os
import re
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAX = 80
C_START = re.compile(r"[A-Za-z_]")
C_NAME = re.compile(r"([A-Za-z_]\w*)\s*\(")
SH_DEF = re.compile(r"^(\s*)(?:function\s+)?([A-Za-z_][\w:.-]*)\s*\(\)\s*(\{.*)?$|"
                    r"^(\s*)function\s+([A-Za-z_][\w:.-]*)\s*(\{.*)?$")


def c_functions(lines):
    """(name, first line, length) of each function definition in C LINES."""
    start = None
    for i, line in enumerate(lines):
        if line.rstrip() == "{" and start is not None:
            head = " ".join(lines[start:i])
            m = C_NAME.search(head)
            end = next((j for j in range(i + 1, len(lines)) if lines[j].startswith("}")),
                       len(lines) - 1)
            if m:
                yield m.group(1), start + 1, end - start + 1
            start = None
        elif C_START.match(line) and not line.rstrip().endswith((";", "{", "}")):
            start = i if start is None or not lines[i - 1].rstrip().endswith(",") else start
        elif not line.startswith((" ", "\t")) or not line.strip():
            start = None


def py_functions(text, path):
    for node in ast.walk(ast.parse(text, path)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node.name, node.lineno, node.end_lineno - node.lineno + 1


def sh_functions(lines):
    for i, line in enumerate(lines):
        m = SH_DEF.match(line)
        if not m:
            continue
        indent = m.group(1) if m.group(1) is not None else m.group(4)
        name = m.group(2) or m.group(5)
        rest = m.group(3) or m.group(6) or ""
        if rest.rstrip().endswith("}"):
            yield name, i + 1, 1
            continue
        close = re.compile("^" + re.escape(indent) + r"\}")
        end = next((j for j in range(i + 1, len(lines)) if close.match(lines[j])), None)
        if end is not None:
            yield name, i + 1, end - i + 1


def functions(path):
    """(name, first line, length) of each function of PATH; None when it is
    no C, Python or shell source."""
    try:
        with open(os.path.join(TOP, path), encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError):
        return None
    lines = text.split("\n")
    if path.endswith((".c", ".h")):
        return list(c_functions(lines))
    if path.endswith(".py") or re.match(r"#!.*python", lines[0]):
        return list(py_functions(text, path))
    if path.endswith(".sh") or re.match(r"#!.*\b(ba|da)?sh\b", lines[0]):
        return list(sh_functions(lines))
    return None


def tracked():
    """The tracked files; outside a git work tree (a copy of one), every
    file but those of .git and build directories."""
    out = subprocess.run(["git", "-C", TOP, "ls-files", "-z"], capture_output=True)
    if out.returncode == 0:
        return [f for f in out.stdout.decode().split("\0")
                if f and os.path.isfile(os.path.join(TOP, f))]
    files = []
    for d, dirs, names in os.walk(TOP):
        dirs[:] = sorted(x for x in dirs if x != ".git" and not x.startswith("build"))
        files += [os.path.relpath(os.path.join(d, n), TOP) for n in sorted(names)]
    return files


def main(argv):
    limit = MAX
    if argv[:1] == ["--max"]:
        limit, argv = int(argv[1]), argv[2:]
    if argv[:1] in (["-h"], ["--help"]):
        print(__doc__.strip())
        return 0
    passed = failed = nfuncs = 0
    for path in argv or tracked():
        funcs = functions(path)
        if funcs is None:
            continue
        nfuncs += len(funcs)
        over = [f for f in funcs if f[2] > limit]
        for name, line, n in over:
            print(f"{path}:{line}: {name}: {n} lines (at most {limit})")
        failed += bool(over)
        passed += not over
    print(f"functions: {nfuncs} read, at most {limit} lines each")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
