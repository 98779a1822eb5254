#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Rehearse the GitHub workflow here: its jobs' steps, in order, as a runner would.

Usage: scripts/rehearse-workflow.py [-w WORKFLOW] [-o DIR] [--keep] [-i NAME=VALUE]...
                                    [JOB[:VALUE]...]

A job that runs in a container (image debian:SUITE) runs in a fresh minimal
Debian root of SUITE (scripts/chroot.sh make, as root), with the repository's
tracked files as its workspace, HOME=/github/home, and the variables a
runner sets (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_ENV, CI, ...). A job
on ubuntu-latest without a container runs on this machine in a temporary
workspace with a clean environment (bash, python3 and git, which such a
runner has). run: steps run as 'bash -e FILE'; if:, needs, outputs, matrix
values and ${{ }} expressions are evaluated as GitHub does for the subset
the workflow uses; an expression or action outside that subset is an error,
so that what CI runs stays what is rehearsed. Actions are emulated: checkout
(the workspace), cache restore/save (a cache in DIR, empty at first),
upload/download-artifact (DIR/artifacts/NAME), action-junit-report (the
files must exist and parse as JUnit).

-i NAME=VALUE sets a workflow_dispatch input (the inputs context), as a
manual run would; inputs not given take their defaults.

JOB[:VALUE] selects a job and, for a matrix job, one value of its matrix
(default: every job, each matrix job with its first value). Jobs that a
selected job needs run first. DIR (default: a temporary directory, removed
unless --keep) keeps artifacts/, summaries/ and each step's log in logs/.

Prints a line per step and ends with "N passed, N failed" (steps). Exit 0
when every selected job succeeded, 1 when one failed, 2 on a usage error.
"""
import argparse
import fnmatch
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import xml.dom.minidom

try:
    import yaml
except ImportError:
    sys.exit("rehearse-workflow: needs python3-yaml (make deps)")

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHROOT = os.path.join(TOP, "scripts", "chroot.sh")
WORKSPACE = "/__w/suite/suite"  # where GitHub puts the checkout in a container
HOME = "/github/home"


class Fail(Exception):
    pass


def say(msg):
    print(f"rehearse: {msg}", flush=True)


# --- expressions -------------------------------------------------------------
TOKEN_RE = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|'((?:[^']|'')*)'|(==|!=|&&|\|\||!|\(|\)|,)"
                      r"|([A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_*][A-Za-z0-9_-]*)*))")


def tokenize(text):
    toks, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = TOKEN_RE.match(text, pos)
        if not m or m.end() == pos:
            raise Fail(f"expression not rehearsable: {text!r} (at {text[pos:]!r})")
        num, string, op, name = m.groups()
        if num is not None:
            toks.append(("val", float(num) if "." in num else int(num)))
        elif string is not None:
            toks.append(("val", string.replace("''", "'")))
        elif op is not None:
            toks.append(("op", op))
        else:
            toks.append(("name", name))
        pos = m.end()
    return toks


class Expr:
    """GitHub's expression language, the part this workflow uses."""

    FUNCS = ("always", "success", "failure", "cancelled", "fromJSON", "toJSON", "contains")

    def __init__(self, ctx):
        self.ctx = ctx

    def eval(self, text):
        self.toks, self.i = tokenize(text), 0
        v = self.or_()
        if self.i != len(self.toks):
            raise Fail(f"expression not rehearsable: {text!r}")
        return v

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None)

    def take(self, kind=None, val=None):
        t = self.peek()
        if (kind and t[0] != kind) or (val is not None and t[1] != val):
            raise Fail(f"expression: expected {val or kind}, got {t[1]!r}")
        self.i += 1
        return t

    def or_(self):
        v = self.and_()
        while self.peek() == ("op", "||"):
            self.take()
            r = self.and_()
            v = v or r
        return v

    def and_(self):
        v = self.cmp()
        while self.peek() == ("op", "&&"):
            self.take()
            r = self.cmp()
            v = v and r
        return v

    def cmp(self):
        v = self.unary()
        while self.peek() in (("op", "=="), ("op", "!=")):
            op = self.take()[1]
            r = self.unary()
            eq = (str(v).lower() == str(r).lower()) if isinstance(v, str) or isinstance(r, str) else v == r
            v = eq if op == "==" else not eq
        return v

    def unary(self):
        if self.peek() == ("op", "!"):
            self.take()
            return not self.unary()
        if self.peek() == ("op", "("):
            self.take()
            v = self.or_()
            self.take("op", ")")
            return v
        kind, val = self.take()
        if kind == "val":
            return val
        if kind != "name":
            raise Fail(f"expression: unexpected {val!r}")
        if self.peek() == ("op", "("):
            self.take()
            args = []
            while self.peek() != ("op", ")"):
                args.append(self.or_())
                if self.peek() == ("op", ","):
                    self.take()
            self.take("op", ")")
            return self.call(val, args)
        if val in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[val]
        return self.lookup(val)

    def call(self, name, args):
        status = self.ctx.get("__status", "success")
        if name == "always":
            return True
        if name == "success":
            return status == "success"
        if name == "failure":
            return status == "failure"
        if name == "cancelled":
            return False
        if name == "fromJSON":
            return json.loads(args[0])
        if name == "toJSON":
            return json.dumps(args[0])
        if name == "contains":
            return str(args[1]).lower() in str(args[0]).lower() if isinstance(args[0], str) \
                else args[1] in args[0]
        raise Fail(f"expression function not rehearsable: {name}()")

    def lookup(self, path):
        parts = path.split(".")
        if parts[0] not in self.ctx:
            raise Fail(f"expression context not rehearsable: {path}")
        v = self.ctx[parts[0]]
        for p in parts[1:]:
            v = v.get(p, "") if isinstance(v, dict) else ""
        return v


def stringify(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (dict, list)):
        return json.dumps(v)
    return "" if v is None else str(v)


def subst(value, ctx):
    """${{ }} in a string (or, recursively, in lists and mappings)."""
    if isinstance(value, str):
        whole = re.fullmatch(r"\s*\$\{\{(.*?)\}\}\s*", value, re.S)
        if whole:
            return Expr(ctx).eval(whole.group(1))
        return re.sub(r"\$\{\{(.*?)\}\}", lambda m: stringify(Expr(ctx).eval(m.group(1))), value)
    if isinstance(value, list):
        return [subst(v, ctx) for v in value]
    if isinstance(value, dict):
        return {k: subst(v, ctx) for k, v in value.items()}
    return value


def condition(expr, ctx):
    if expr is None:
        return ctx.get("__status") == "success"
    if isinstance(expr, bool):
        return expr
    text = str(expr).strip()
    m = re.fullmatch(r"\$\{\{(.*)\}\}", text, re.S)
    text = m.group(1) if m else text
    if not re.search(r"\b(always|success|failure|cancelled)\(", text):
        text = f"success() && ({text})"
    return bool(Expr(ctx).eval(text))


# --- places where a job runs -------------------------------------------------
class Host:
    """A job on ubuntu-latest without a container: this machine, a temporary workspace."""

    def __init__(self, tmp):
        self.base = tempfile.mkdtemp(prefix="host-", dir=tmp)
        self.workspace = os.path.join(self.base, "workspace")
        self.home = os.path.join(self.base, "home")
        os.makedirs(self.workspace)
        os.makedirs(self.home)
        self.label = "this machine (for ubuntu-latest)"

    def outside(self, p):
        """Where path P of the job is, seen from here (the runner's own
        /github/ files are in the temporary directory)."""
        if not os.path.isabs(p):
            return os.path.join(self.workspace, p)
        if p.startswith("/github/"):
            return self.base + p
        return p

    def command(self, argv, env):
        return ["env", "-i", "-C", self.workspace] + [f"{k}={v}" for k, v in env.items()] + argv

    def inside(self, p):
        return self.outside(p)

    def close(self, keep):
        if not keep:
            shutil.rmtree(self.base, ignore_errors=True)


class Root:
    """A container job: a fresh minimal Debian root of the image's release."""

    def __init__(self, image, tmp):
        m = re.fullmatch(r"debian:([a-z]+)", image)
        if not m:
            raise Fail(f"container image not rehearsable: {image} (debian:SUITE only)")
        self.suite = m.group(1)
        self.base = tempfile.mkdtemp(prefix=f"root-{self.suite}-", dir=tmp)
        self.root = os.path.join(self.base, "root")
        r = subprocess.run([CHROOT, "make", self.suite, self.root], stdin=subprocess.DEVNULL)
        if r.returncode:
            raise Fail(f"cannot make a {self.suite} root")
        self.workspace = WORKSPACE
        self.home = HOME
        for d in (WORKSPACE, HOME):
            os.makedirs(self.root + d, exist_ok=True)
        self.label = f"a fresh {self.suite} root (for {image})"

    def outside(self, p):
        if not os.path.isabs(p):
            p = os.path.join(WORKSPACE, p)
        return self.root + p

    def inside(self, p):
        return p if os.path.isabs(p) else os.path.join(WORKSPACE, p)

    def command(self, argv, env):
        return [CHROOT, "run", self.root, "env", "-C", WORKSPACE] + \
            [f"{k}={v}" for k, v in env.items()] + argv

    def close(self, keep):
        if not keep:
            shutil.rmtree(self.base, ignore_errors=True)


def tracked_files():
    out = subprocess.run(["git", "-C", TOP, "ls-files", "-z"], capture_output=True, check=True)
    return [f for f in out.stdout.decode().split("\0") if f]


def checkout(place):
    dest = place.outside(".")
    for f in tracked_files():
        src = os.path.join(TOP, f)
        if not os.path.lexists(src):
            continue  # deleted in the working tree
        d = os.path.join(dest, f)
        os.makedirs(os.path.dirname(d), exist_ok=True)
        shutil.copy2(src, d, follow_symlinks=False)


# --- actions ----------------------------------------------------------------
def action(uses, with_, place, out, job_name):
    name = uses.split("@")[0]
    if name == "actions/checkout":
        checkout(place)
        return "workspace = this repository's tracked files"
    if name in ("actions/cache/restore", "actions/cache/save", "actions/cache"):
        key = re.sub(r"[^A-Za-z0-9._-]", "_", str(with_.get("key", "")))
        store = os.path.join(out, "cache", key)
        paths = str(with_.get("path", "")).split()
        if name.endswith("/save"):
            missing = [p for p in paths if not os.path.exists(place.outside(p))]
            if missing:
                return f"nothing to save at {' '.join(missing)} (GitHub warns, no failure)"
            for p in paths:
                dst = os.path.join(store, p.lstrip("/"))
                shutil.rmtree(dst, ignore_errors=True)
                shutil.copytree(place.outside(p), dst, symlinks=True)
            return f"saved {' '.join(paths)} as {key}"
        if not os.path.isdir(store):
            return f"cache miss for {key} (a cold cache)"
        for p in paths:
            src = os.path.join(store, p.lstrip("/"))
            if os.path.exists(src):
                shutil.copytree(src, place.outside(p), symlinks=True, dirs_exist_ok=True)
        return f"restored {key}"
    if name == "actions/upload-artifact":
        art = os.path.join(out, "artifacts", str(with_["name"]))
        src = place.outside(str(with_["path"]).rstrip("/"))
        if not os.path.exists(src):
            return f"no files at {with_['path']} ({with_.get('if-no-files-found', 'warn')})"
        shutil.rmtree(art, ignore_errors=True)
        if os.path.isdir(src):
            shutil.copytree(src, art, symlinks=True)
        else:
            os.makedirs(art)
            shutil.copy2(src, art)
        return f"artifact {with_['name']}"
    if name == "actions/download-artifact":
        pattern = str(with_.get("pattern", "*"))
        dest = place.outside(str(with_.get("path", ".")))
        names = sorted(n for n in os.listdir(os.path.join(out, "artifacts"))
                       if fnmatch.fnmatch(n, pattern)) if os.path.isdir(
                           os.path.join(out, "artifacts")) else []
        for n in names:
            shutil.copytree(os.path.join(out, "artifacts", n), os.path.join(dest, n),
                            symlinks=True, dirs_exist_ok=True)
        return f"downloaded {len(names)} artifact(s): {' '.join(names) or 'none'}"
    if name == "mikepenz/action-junit-report":
        files = []
        for pat in str(with_.get("report_paths", "")).split(","):
            files += glob.glob(place.outside(pat.strip()))
        if not files:
            raise Fail(f"no JUnit file at {with_.get('report_paths')}")
        for f in files:
            doc = xml.dom.minidom.parse(f)
            if doc.documentElement.tagName not in ("testsuites", "testsuite"):
                raise Fail(f"{f}: not JUnit (root element {doc.documentElement.tagName})")
        return f"{len(files)} JUnit file(s) parse"
    raise Fail(f"action not rehearsable: {uses}")


# --- jobs --------------------------------------------------------------------
def read_kv(path):
    """Key=value lines and heredoc values, as in GITHUB_OUTPUT and GITHUB_ENV."""
    out = {}
    if not os.path.exists(path):
        return out
    lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^([^=<]+)<<(.+)$", line)
        if m:
            key, delim, val = m.group(1), m.group(2), []
            i += 1
            while i < len(lines) and lines[i] != delim:
                val.append(lines[i])
                i += 1
            out[key] = "\n".join(val)
        elif "=" in line:
            k, v = line.split("=", 1)
            out[k] = v
        i += 1
    return out


def run_job(wf, job_id, value, results, out, tmp, keep, inputs):
    job = wf["jobs"][job_id]
    matrix = {}
    ctx = {"github": {"workflow": wf.get("name", ""), "event_name": "workflow_dispatch"},
           "inputs": inputs,
           "needs": {n: results[n] for n in as_list(job.get("needs"))},
           "env": dict(wf.get("env") or {}), "__status": "success"}
    strategy = job.get("strategy") or {}
    if strategy.get("matrix"):
        m = subst(strategy["matrix"], ctx)
        keys = [k for k in m if k not in ("include", "exclude")]
        if len(keys) != 1:
            raise Fail(f"job {job_id}: only one-key matrices are rehearsable")
        values = [str(v) for v in m[keys[0]]]
        if not values:
            raise Fail(f"job {job_id}: empty matrix")
        pick = value if value is not None else values[0]
        if pick not in values:
            raise Fail(f"job {job_id}: {pick} is not in its matrix {values}")
        matrix = {keys[0]: pick}
    ctx["matrix"] = matrix
    label = job_id + (f" ({', '.join(matrix.values())})" if matrix else "")
    if "if" in job and not condition(job["if"], ctx):
        say(f"job {label}: skipped (if: {job['if']})")
        return {"result": "skipped", "outputs": {}}, 0, 0
    container = job.get("container")
    image = subst(container if isinstance(container, str) else (container or {}).get("image"), ctx)
    if not image and job.get("runs-on") != "ubuntu-latest":
        raise Fail(f"job {job_id}: runs-on {job.get('runs-on')} without a container is not rehearsable")
    place = Root(image, tmp) if image else Host(tmp)
    say(f"job {label}: in {place.label}")
    deadline = time.time() + 60 * float(job.get("timeout-minutes", 360))
    files = {}
    for f in ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_ENV", "GITHUB_PATH"):
        inside = f"/github/file_commands/{f.lower()}"
        files[f] = inside
        os.makedirs(os.path.dirname(place.outside(inside)), exist_ok=True)
        open(place.outside(inside), "w").close()
    job_env = dict(ctx["env"])
    job_env.update(subst(job.get("env") or {}, ctx))
    ctx["env"] = job_env
    steps_ctx, npass, nfail = {}, 0, 0
    logs = os.path.join(out, "logs")
    os.makedirs(logs, exist_ok=True)
    try:
        for n, step in enumerate(job.get("steps") or [], 1):
            ctx["steps"] = steps_ctx
            sname = subst(step.get("name") or step.get("uses") or step.get("run", "").split("\n")[0], ctx)
            if not condition(step.get("if"), ctx):
                say(f"  step {n} '{sname}': skipped")
                continue
            start = time.time()
            sid = step.get("id", f"__step{n}")
            try:
                if "uses" in step:
                    what = action(step["uses"], subst(step.get("with") or {}, ctx), place, out, job_id)
                    ok, note = True, what
                else:
                    ok, note = run_step(step, ctx, place, files, job_env, deadline,
                                        os.path.join(logs, f"{job_id}-{n}.log"))
            except Fail as e:
                ok, note = False, str(e)
            outputs = read_kv(place.outside(files["GITHUB_OUTPUT"]))
            open(place.outside(files["GITHUB_OUTPUT"]), "w").close()
            steps_ctx[sid] = {"outputs": outputs, "outcome": "success" if ok else "failure"}
            job_env.update(read_kv(place.outside(files["GITHUB_ENV"])))
            open(place.outside(files["GITHUB_ENV"]), "w").close()
            say(f"  step {n} '{sname}': {'ok' if ok else 'FAILED'} ({time.time() - start:.0f} s)"
                + (f": {note}" if note else ""))
            if ok:
                npass += 1
            else:
                nfail += 1
                ctx["__status"] = "failure"
        ctx["steps"] = steps_ctx
        outputs = {k: stringify(subst(v, ctx)) for k, v in (job.get("outputs") or {}).items()}
        summary = place.outside(files["GITHUB_STEP_SUMMARY"])
        os.makedirs(os.path.join(out, "summaries"), exist_ok=True)
        shutil.copy(summary, os.path.join(out, "summaries",
                                          re.sub(r"[^A-Za-z0-9._-]", "_", label) + ".md"))
    finally:
        place.close(keep)
    result = "success" if ctx["__status"] == "success" else "failure"
    say(f"job {label}: {result}")
    return {"result": result, "outputs": outputs}, npass, nfail


def run_step(step, ctx, place, files, job_env, deadline, log):
    shell = step.get("shell", "bash")
    if shell != "bash":
        raise Fail(f"shell {shell} not rehearsable")
    script = subst(step["run"], ctx)
    env = {"CI": "true", "GITHUB_ACTIONS": "true", "RUNNER_OS": "Linux",
           "HOME": place.home, "GITHUB_WORKSPACE": place.workspace,
           "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
           "LANG": "C.UTF-8"}
    env.update({k: place.inside(v) for k, v in files.items()})
    env.update({k: stringify(v) for k, v in job_env.items()})
    env.update({k: stringify(v) for k, v in subst(step.get("env") or {}, ctx).items()})
    path = f"/github/run/step-{os.getpid()}-{time.time_ns()}.sh"
    os.makedirs(os.path.dirname(place.outside(path)), exist_ok=True)
    with open(place.outside(path), "w") as f:
        f.write(script)
    argv = place.command(["bash", "-e", place.inside(path)], env)
    timeout = max(1, deadline - time.time())
    with open(log, "w") as lf:
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, start_new_session=True)
        try:
            for line in iter(p.stdout.readline, b""):
                text = line.decode(errors="replace")
                lf.write(text)
                sys.stdout.write("    | " + text)
                sys.stdout.flush()
                if time.time() > deadline:
                    raise subprocess.TimeoutExpired(argv, timeout)
            rc = p.wait(timeout=max(1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            return False, "the job's timeout-minutes ran out"
    return rc == 0, "" if rc == 0 else f"exit {rc} (log: {log})"


def as_list(v):
    return [] if v is None else [v] if isinstance(v, str) else list(v)


def main():
    ap = argparse.ArgumentParser(description="Rehearse the GitHub workflow in fresh Debian roots.")
    ap.add_argument("-w", "--workflow", default=os.path.join(TOP, ".github/workflows/matrix.yml"))
    ap.add_argument("-o", "--output", help="keep artifacts, summaries and logs here")
    ap.add_argument("--keep", action="store_true", help="keep the roots and workspaces")
    ap.add_argument("-i", "--input", action="append", default=[], metavar="NAME=VALUE",
                    help="a workflow_dispatch input")
    ap.add_argument("jobs", nargs="*", metavar="JOB[:VALUE]")
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("rehearse-workflow: needs root (it makes chroots)", file=sys.stderr)
        return 2
    try:
        wf = yaml.safe_load(open(args.workflow))
    except (OSError, yaml.YAMLError) as e:
        print(f"rehearse-workflow: {args.workflow}: {e}", file=sys.stderr)
        return 2
    jobs = wf.get("jobs") or {}
    on = wf.get("on", wf.get(True)) or {}  # YAML 1.1 reads the key 'on' as true
    declared = ((on.get("workflow_dispatch") or {}).get("inputs") or {}) if isinstance(on, dict) else {}
    inputs = {k: str(v.get("default", "")) for k, v in declared.items()}
    for item in args.input:
        k, sep, v = item.partition("=")
        if not sep or k not in declared:
            print(f"rehearse-workflow: -i {item}: the workflow has no input '{k}' "
                  f"(inputs: {', '.join(declared) or 'none'})", file=sys.stderr)
            return 2
        inputs[k] = v
    picks = {}
    for j in args.jobs or list(jobs):
        name, _, value = j.partition(":")
        if name not in jobs:
            print(f"rehearse-workflow: no job '{name}' in {args.workflow} "
                  f"(jobs: {', '.join(jobs)})", file=sys.stderr)
            return 2
        picks[name] = value or None
    order = []

    def visit(name):
        for dep in as_list(jobs[name].get("needs")):
            visit(dep)
        if name not in order:
            order.append(name)
    for name in list(picks):
        visit(name)

    out = args.output or tempfile.mkdtemp(prefix="rehearse-")
    os.makedirs(out, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="rehearse-roots-", dir=os.environ.get("TMPDIR", "/var/tmp"))
    results, npass, nfail, failed = {}, 0, 0, False
    try:
        for name in order:
            try:
                results[name], p, f = run_job(wf, name, picks.get(name), results, out, tmp,
                                              args.keep, inputs)
            except Fail as e:
                say(f"job {name}: cannot rehearse: {e}")
                results[name], p, f = {"result": "failure", "outputs": {}}, 0, 1
            npass, nfail = npass + p, nfail + f
            failed |= results[name]["result"] == "failure"
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        if not args.output:
            shutil.rmtree(out, ignore_errors=True)
    say(f"{len(order)} jobs: " + ", ".join(f"{n} {results.get(n, {}).get('result', '?')}"
                                           for n in order))
    print(f"{npass} passed, {nfail} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
