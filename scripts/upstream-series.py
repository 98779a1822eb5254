#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""upstream-series.py: the suite's movable themes as a selftests/bpf series.

Writes OUT (default build/upstream/) as `git format-patch --cover-letter`
does: 0000-cover-letter.patch, 0001-....patch, ..., each adding files
under tools/testing/selftests/bpf of linux-source-7.3 in upstream's idiom.

One source: every BPF program, read loop and table of rows in the series is
taken from the project's own files at the time of the run (progs/,
prog_tests/, known-deviations.ini); upstream/ holds only the glue that has
no counterpart in the suite (the user-space side in test_progs' idiom, the
headers' comments, the commit messages, the cover letter). The transforms:

  - progs: the suite's includes become upstream's (vmlinux.h, bpf_helpers.h,
    bpf_tracing.h, bpf_core_read.h, bpf_misc.h); __rule() and the rule ids
    in comments go (SEMANTICS.md is not upstream's); dynptr_read() becomes
    bpf_dynptr_read() (the 7.3 tree's helper takes u64 lengths and offsets,
    which is why the suite declares its own);
  - __msg(): alternatives for older kernels' wording are dropped (the series
    tests the tree's own kernel) and the rest is written the way upstream's
    test_loader reads it: verbatim text with {{regex}} parts;
  - a verifier program that meets a known deviation on KERNEL (default
    7.3.4; known-deviations.ini) stays out, named in the cover letter;
  - rows: CASE_AT(NULL) and the rule ids go; EXPECT(ret, rule) becomes
    EXPECT(ret); a table's own one-argument macros are expanded.

Usage: scripts/upstream-series.py [-o OUT] [--kernel VERSION] [--from ID]
                                  [--list]
  -o OUT      the directory to write (emptied of *.patch first)
  --kernel V  the kernel the series is for (default 7.3.4: linux-source-7.3)
  --from ID   the From:/Signed-off-by: identity
              (default: BPF dynptr-file suite <suite@localhost>)
  --list      print what goes into the series and what stays out, and exit
Exit 1 on a source that no longer parses as the generator expects (say
which), 2 on bad usage.
"""
import argparse
import configparser
import fnmatch
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GLUE = os.path.join(ROOT, 'upstream')
SELFTESTS = 'tools/testing/selftests/bpf'
DEFAULT_FROM = 'BPF dynptr-file suite <suite@localhost>'

# __msg() alternatives in older kernels' wording (6.19.14 and 7.0.13 name
# arguments "arg #0", "arg#0" or "arg0" where 7.3 says "R1"; "reference
# leak" is older still). The tree's kernel prints the other alternative.
OLD_WORDING = [
    r'arg ?#?[0-9]',
    r'reference leak',
    r'Expected an initialized dynptr as \(arg #[0-9]\|R[0-9]\)',
    r'\(arg#0\|R1\) pointer type STRUCT file must point',
]

# Themes that stay out of the series, and why (the cover letter's list).
LEFT_OUT = [
    ('adjust', 'its expectations come from the contract\'s model '
     '(prog_tests/model.c), 300 lines of harness with no upstream '
     'counterpart yet'),
    ('concurrent_write',
     'not converted yet: a race against a writer process, with no rows'),
    ('clone/*_adjust_clone, clone/*_adjust_parent',
     'meet known deviations on 7.3.4 (below): patch 6 has the clone\'s '
     'size, read-only flag and reads'),
    ('release/folios_and_file_released',
     'needs the suite\'s after-state checks (every folio evictable again '
     'after 500 reads); patch 5 has the release of the dynptr\'s state'),
    ('creation/bool_return_zero_extended',
     'meets a known deviation on x86_64 (below): its probe stays out of '
     'patch 4'),
    ('fault_nonsleepable: partly_resident, written_eof_page, '
     'evictable_after_reads',
     'need pages held resident around an evicted one, a filesystem with '
     'blocks smaller than a page, or the after-state checks of the suite\'s '
     'harness'),
    ('read_grid, file_kinds, sleepable_select, callback_select',
     'rows meet known deviations on 7.3.4 (below), some make the kernel '
     'WARN or oops on purpose, and the rest need the suite\'s declared '
     'windows for expected kernel warnings'),
    ('model_seq, elf_parse, prog_types, spec_example, trampoline_anchor',
     'property-based or harness-heavy: the suite\'s runner, its page-cache '
     'lanes and its shrinking have no test_progs counterpart; spec_example '
     'repeats upstream\'s file_reader'),
]


def die(msg, code=1):
    print(f'upstream-series: {msg}', file=sys.stderr)
    sys.exit(code)


def read(path):
    with open(os.path.join(ROOT, path)) as f:
        return f.read()


def glue(name):
    with open(os.path.join(GLUE, name)) as f:
        return f.read()


# ---- kernel versions (known-deviations.ini's "kernels" constraints) ------

def vtuple(v):
    return tuple(int(x) for x in re.findall(r'\d+', v)[:3])


def kernels_hold(spec, version):
    if spec.strip() == '*':
        return True
    k = vtuple(version)
    for c in spec.split():
        m = re.fullmatch(r'(>=|<=|>|<|=)?([\d.]+)', c)
        if not m:
            die(f'known-deviations.ini: cannot read kernels constraint {c!r}')
        op, v = m.group(1) or '=', vtuple(m.group(2))
        ok = {'>=': k >= v, '<=': k <= v, '>': k > v, '<': k < v,
              '=': k[:len(v)] == v}[op]
        if not ok:
            return False
    return True


def deviations(version):
    """The entries of known-deviations.ini that apply on x86_64 VERSION
    (None: on any kernel)."""
    ini = configparser.ConfigParser(interpolation=None)
    ini.read_string(read('known-deviations.ini'))
    out = []
    for sec in ini.sections():
        e = ini[sec]
        if 'x86_64' not in e.get('arch', 'x86_64').split():
            continue
        if version is None or kernels_hold(e['kernels'], version):
            out.append((sec, e))
    return out


# ---- C sources -----------------------------------------------------------

def program_spans(src):
    """(name, start, end) of each SEC() program, its leading comment in."""
    spans = []
    for m in re.finditer(r'^SEC\("[^"]*"\)\n', src, re.M):
        start = m.start()
        before = src[:start]
        c = re.search(r'/\*(?:(?!\*/).)*\*/\n$', before, re.S)
        if c and before[:c.start()].endswith('\n\n'):
            start = c.start()
        end = src.index('\n}\n', m.end()) + 3
        name = re.search(r'(?:BPF_PROG\(|int )(\w+)', src[m.end():end])
        spans.append((name.group(1), start, end))
    return spans


def narrow_msg(text):
    """A suite __msg() text as upstream's test_loader reads it."""
    def group(m):
        alts = split_alternatives(m.group(1))
        keep = [a for a in alts
                if not any(re.fullmatch(w, a) for w in OLD_WORDING)]
        if len(keep) != 1:
            return '{{' + '|'.join(keep) + '}}'
        return to_upstream_pattern(keep[0])
    return re.sub(r'\{\{(.*?)\}\}', group, text)


def split_alternatives(rx):
    """The top-level alternatives of an extended regex."""
    alts, depth, cur, i = [], 0, '', 0
    while i < len(rx):
        ch = rx[i]
        if ch == '\\':
            cur += rx[i:i + 2]
            i += 2
            continue
        depth += {'(': 1, ')': -1}.get(ch, 0)
        if ch == '|' and depth == 0:
            alts.append(cur)
            cur = ''
        else:
            cur += ch
        i += 1
    return alts + [cur]


def to_upstream_pattern(rx):
    """Verbatim text, with {{[0-9]+}} where the regex takes a number."""
    out = rx.replace(r'\\.', '.').replace(r'\.', '.')
    out = out.replace('[0-9]+', '\0')
    if re.search(r'[\[\]()*+?{}|^$\\]', out):
        return '{{' + rx + '}}'
    return out.replace('\0', '{{[0-9]+}}')


def drop_rule_ids(text):
    text = re.sub(r' \(R-[A-Z]+-\d+\)', '', text)
    text = re.sub(r'R-[A-Z]+-\d+: ([a-z])', lambda m: m.group(1).upper(),
                  text)
    return text


UPSTREAM_INCLUDES = '''#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf_misc.h"
'''


def upstream_prog_text(body):
    body = re.sub(r'^__rule\("[^"]*"\)\n', '', body, flags=re.M)
    body = re.sub(r'\bdynptr_(read|write|data)\(', r'bpf_dynptr_\1(', body)
    body = re.sub(r'^(__msg\(")(.*)("\))$',
                  lambda m: m.group(1) + narrow_msg(m.group(2)) + m.group(3),
                  body, flags=re.M)
    body = drop_rule_ids(body)
    left = re.findall(r'R-[A-Z]+-\d+|for_each_num|__rule|SEMANTICS', body)
    if left:
        die(f'progs: no upstream form for {sorted(set(left))}')
    return body


def verifier_prog(version):
    """progs/verifier_file_dynptr.c upstream, and the programs left out."""
    path = 'progs/verifier_file_dynptr.c'
    src = read(path)
    head = re.match(r'// SPDX-License-Identifier: GPL-2.0\n/\*.*?\*/\n'
                    r'#include "common.h"\n#include "verifier_expect.h"\n',
                    src, re.S)
    if not head:
        die(f'{path}: its head is not SPDX, a comment, common.h and '
            'verifier_expect.h')
    devs = [(s.split('/', 1)[1], e) for s, e in deviations(version)
            if s.startswith('verifier_file_dynptr/')]
    out, pos, dropped = [], head.end(), []
    for name, start, end in program_spans(src):
        hit = [(g, e) for g, e in devs if fnmatch.fnmatchcase(name, g)]
        if hit:
            out.append(src[pos:start])
            dropped.append((name, hit[0][1]))
            pos = end + 1 if src[end:end + 1] == '\n' else end
    out.append(src[pos:])
    text = ('// SPDX-License-Identifier: GPL-2.0\n' +
            glue('progs/verifier_file_dynptr.head') + '\n' +
            UPSTREAM_INCLUDES + ''.join(out))
    text = upstream_prog_text(text)
    names = [n for n, _, _ in program_spans(text)]
    return text, names, dropped


def c_item(src, pattern, what, path):
    """A definition of SRC with its leading comment, by regex PATTERN."""
    m = re.search(r'(?:/\*(?:(?!\*/).)*\*/\n)?' + pattern, src, re.S | re.M)
    if not m:
        die(f'{path}: no {what}')
    return m.group(0)


COMMON = 'progs/common.h'

# FILE_IOCTL_PROGS(NAME, FN) of progs/common.h, as upstream writes it: the
# pair's trigger_ctx is not needed, as a test attaches one at a time.
FILE_IOCTL_PROG = '''SEC("{sec}")
int BPF_PROG({name}_{ctx}, struct file *file, unsigned int cmd,
\t     unsigned long arg)
{{
\tif (is_trigger(cmd))
\t\t{fn}(file);
\treturn 0;
}}
'''


def expand_ioctl_progs(m):
    name, fn = m.groups()
    return '\n'.join(FILE_IOCTL_PROG.format(sec=sec, name=name, ctx=ctx,
                                            fn=fn)
                     for sec, ctx in (('lsm/file_ioctl', 'nonsleepable'),
                                      ('lsm.s/file_ioctl', 'sleepable')))


def drop_item(body, pattern, path):
    """BODY without PATTERN's match and the comment right before it."""
    m = re.search(r'(?:/\*(?:(?!\*/).)*\*/\n)?' + pattern, body,
                  re.S | re.M)
    if not m:
        die(f'{path}: nothing matches {pattern!r} to leave out')
    return body[:m.start()] + body[m.end():]


def prelude(body):
    """What BODY uses of progs/common.h, for a program without it."""
    common = read(COMMON)
    items = [c_item(common, r'^int target_tgid;\n', 'target_tgid', COMMON),
             c_item(common, r'^static __always_inline bool is_trigger\('
                    r'.*?\n}\n', 'is_trigger()', COMMON)]
    if 'bool_ret(' in body:
        items.append(c_item(common, r'^static __always_inline int '
                            r'bool_ret\(.*?\n}\n', 'bool_ret()', COMMON))
    text = '\n'.join(items)
    return re.sub(r' \(creation/bool_return_zero_extended records it\.\)',
                  '', text)


def convert_body(body, path, drops=()):
    """The programs of BODY as upstream writes them (see runtime_prog())."""
    for pattern in drops:
        body = drop_item(body, pattern, path)
    body, n = re.subn(r'^FILE_IOCTL_PROGS\((\w+), (\w+)\)\n',
                      expand_ioctl_progs, body, flags=re.M)
    if n != 1 or 'ctx_selected' in body:
        die(f'{path}: not one FILE_IOCTL_PROGS() pair, or ctx_selected()')
    # The number iterator loop of common.h is libbpf's bpf_for().
    return re.sub(r'\bfor_each_num\(([^()]*)\)\n\t+{', r'bpf_for(\1) {', body)


def runtime_prog(path, head, drops=()):
    """A program of the suite on the trigger ioctl, in upstream's idiom."""
    src = read(path)
    m = re.match(r'(?://|/\*) SPDX-License-Identifier: GPL-2.0(?: \*/)?\n'
                 r'/\*.*?\*/\n', src, re.S)
    if not m:
        die(f'{path}: does not start with SPDX and a comment')
    body = re.sub(r'^#(?:ifndef|define) __\w+_H\n|^#endif /\* __\w+_H \*/\n',
                  '', src[m.end():], flags=re.M)
    body, n = re.subn(r'^#include "common.h"\n', '', body, flags=re.M)
    if n != 1:
        die(f'{path}: does not include common.h once')
    body = convert_body(body, path, drops)
    text = ('// SPDX-License-Identifier: GPL-2.0\n' + glue(head) +
            UPSTREAM_INCLUDES + '#include "file_dynptr.h"\n\n' +
            prelude(body) + '\n' + body)
    return re.sub(r'\n{3,}', '\n\n', upstream_prog_text(text))


def shared_header():
    """progs/file_dynptr.h: what the programs and their tests share."""
    path = 'progs/shared_defs.h'
    shared = read(path)
    defs = [c_item(shared, r'^#define %s [^\n]*\n' % n, n, path)
            for n in ('TRIGGER_IOCTL', 'READ_MAX_CASES', 'READ_CHUNK')]
    defs.append(c_item(shared, r'^struct read_case {\n.*?\n};\n',
                       'struct read_case', path))
    h = glue('progs/file_dynptr.h.in').replace('@DEFS@', '\n'.join(defs))
    return h.replace(' (see file_reads.h)', '')


def reads_prog(with_release=False):
    """progs/file_dynptr_reads.c: the suite's progs/file_reads.h, and with
    WITH_RELEASE the churn programs progs/release.c adds to it."""
    text = runtime_prog('progs/file_reads.h', 'progs/file_dynptr_reads.head')
    if not with_release:
        return text
    path = 'progs/release.c'
    m = re.match(r'// SPDX-License-Identifier: GPL-2.0\n/\*\n \* Many '
                 r'create/read/discard cycles: the batch programs of '
                 r'file_reads.h. And\n \* (churn_\*:.*?)\n \*/\n'
                 r'#include "file_reads.h"\n', read(path), re.S)
    if not m:
        die(f'{path}: not its comment and file_reads.h, then churn')
    body = convert_body(read(path)[m.end():], path)
    churn = '/*\n' + textwrap.fill(
        m.group(1).replace('\n * ', ' '), 77, initial_indent=' * ',
        subsequent_indent=' * ') + '\n */\n'
    lic = 'char _license[] SEC("license") = "GPL";\n'
    if text.count(lic) != 1:
        die('progs/file_reads.h: not one license line')
    text = text.replace(lic, '').rstrip('\n')
    return (text + '\n\n' + upstream_prog_text(churn + body.lstrip('\n')) +
            '\n' + lic)


# creation/bool_return_zero_extended meets a known deviation (R-CREATE-5)
# on x86_64: its probe stays out, with the subtest.
CREATION_DROPS = [
    r'^__u64 raw_is_null;\n__u64 raw_is_rdonly;\n',
    r'^#define RAW_BOOL_AFTER_EINVAL\((?:[^\n]*\\\n)*[^\n]*\n\n',
    r'^static __always_inline void probe_bool_abi\(.*?\n}\n\n',
    r'^\tprobe_bool_abi\(file\);\n',
]


# clone/*_adjust_clone and clone/*_adjust_parent meet known deviations
# (R-CLONE-2, R-CLONE-3): their phases stay out, R-CLONE-1 stays.
CLONE_DROPS = [
    r'^__u64 adj_start, adj_end;[^\n]*\n',
    r'^int adjust_ret\[2\];\n.*?clone_bytes_after\[2\]\[CLONE_READ\];\n\n',
    r'^static __always_inline void phase\(.*?\n}\n\n',
    r'^\tphase\(file, 0\);\n\tphase\(file, 1\);\n',
]


def clone_prog():
    """progs/file_dynptr_clone.c: the suite's progs/clone.c."""
    return runtime_prog('progs/clone.c', 'progs/file_dynptr_clone.head',
                        CLONE_DROPS)


def creation_prog():
    """progs/file_dynptr_creation.c: the suite's progs/creation.c."""
    return runtime_prog('progs/creation.c', 'progs/file_dynptr_creation.head',
                        CREATION_DROPS)


# ---- rows of prog_tests/ -------------------------------------------------

def table(path, name, struct='read_row'):
    """The rows of `static const struct STRUCT NAME[]` in PATH, as text."""
    src = read(path)
    m = re.search(r'static const struct %s %s\[\] = {\n(.*?)\n};' %
                  (struct, name), src, re.S)
    if not m:
        die(f'{path}: no table {name}')
    rows = m.group(1)
    for mac in re.finditer(r'^#define (\w+)\((\w+)\) (.*)$', src, re.M):
        mname, arg, body = mac.groups()
        rows = re.sub(r'\b%s\(([^()]*)\)' % mname,
                      lambda r: re.sub(r'\b%s\b' % arg, r.group(1), body),
                      rows)
    rows = re.sub(r'CASE_AT\(NULL\),\s*', '', rows)
    rows = re.sub(r'EXPECT\(([^,()]+),\s*"R-[A-Z]+-\d+"\)', r'EXPECT(\1)',
                  rows)
    rows = re.sub(r',\s*"R-[A-Z]+-\d+" }', ' }', rows)
    if re.search(r'CASE_AT|"R-|FOLIO_PG', rows):
        die(f'{path}: {name} has rows the generator cannot convert')
    return rows


def define(path, name):
    m = re.search(r'^#define %s (.*?)(?: /\*.*)?$' % name, read(path), re.M)
    if not m:
        die(f'{path}: no #define {name}')
    return m.group(1)


def reformat_rows(rows, renames):
    for old, new in renames.items():
        rows = re.sub(r'\b%s\b' % old, new, rows)
    # One row a line where it fits, as clang-format would not break it.
    out = []
    for chunk in re.split(r'(?<=},)\n', rows):
        lines = chunk.split('\n')
        comment = [ln for ln in lines if ln.strip().startswith('/*')]
        code = ' '.join(ln.strip() for ln in lines
                        if not ln.strip().startswith('/*'))
        out += comment
        out += wrap_row(code)
    return '\n'.join(out)


def wrap_row(code):
    if len(code) + 8 <= 80:
        return ['\t' + code]
    # Break after the second field's comma (the offset and the length).
    parts = code.split('), ')
    first = '), '.join(parts[:2]) + '),'
    rest = '), '.join(parts[2:])
    return ['\t' + first, '\t  ' + rest]


def creation_defs():
    """The expectations of prog_tests/creation.c, without their rules."""
    path = 'prog_tests/creation.c'
    src = read(path)
    items = [c_item(src, r'^#define N_FLAGS [^\n]*\n', 'N_FLAGS', path),
             c_item(src, r'^struct expect {\n.*?\n};\n', 'struct expect',
                    path)]
    items += [c_item(src, r'^static const struct expect %s = {\n.*?\n};\n'
                     % n, n, path) for n in ('valid', 'rejected')]
    items.append(c_item(src, r'^static __u32 flags_value\(int i\)\n{\n.*?'
                        r'\n}\n', 'flags_value()', path))
    text = '\n'.join(items)
    text = re.sub(r'^\tstruct test_case_at at, size_at;\n', '', text,
                  flags=re.M)
    text = re.sub(r'^\t\.(?:at|size_at) = CASE_AT\("[^"]*"\),\n', '', text,
                  flags=re.M)
    text = re.sub(r'; \.at is the row\'s rule, \.size_at the size\'s\.', '.',
                  text)
    if re.search(r'CASE_AT|test_case_at|"R-|\.at\b', text):
        die(f'{path}: expectations the generator cannot convert')
    return text


def c_sections(c, keep):
    """C with its @IF:NAME@ ... @ENDIF@ sections of KEEP in, others out."""
    def section(m):
        return m.group(2) if m.group(1) in keep else ''
    return re.sub(r'@IF:(\w+)@\n(.*?)@ENDIF@\n', section, c, flags=re.S)


def runtime_test(keep):
    """prog_tests/file_dynptr.c with the sections of KEEP."""
    c = c_sections(glue('prog_tests/file_dynptr.c.in'), keep)
    rb, fn = 'prog_tests/read_basic.c', 'prog_tests/fault_nonsleepable.c'
    cr = 'prog_tests/creation.c'
    subs = {
        '@READ_FILE_LEN@': define(rb, 'FILE_LEN'),
        '@FAULT_FILE_PAGES@': define(fn, 'FILE_PAGES'),
        '@FAULT_FILE_LEN@': re.sub(r'\bFILE_PAGES\b', 'FAULT_FILE_PAGES',
                                   define(fn, 'FILE_LEN')),
        '@CREATION_FILE_LEN@': define(cr, 'FILE_LEN'),
        '@ROWS:read_basic@': reformat_rows(table(rb, 'rows'),
                                           {'FILE_LEN': 'READ_FILE_LEN'}),
        '@ROWS:fault_evicted@': reformat_rows(
            table(fn, 'evicted_rows'), {'FILE_PAGES': 'FAULT_FILE_PAGES'}),
        '@ROWS:fault_resident@': reformat_rows(
            table(fn, 'resident_rows'), {'FILE_PAGES': 'FAULT_FILE_PAGES'}),
    }
    if 'creation' in keep:
        subs['@CREATION_DEFS@'] = '\n' + creation_defs()
    cl = 'prog_tests/clone.c'
    if 'clone' in keep:
        for n in ('FILE_PAGES', 'READ_OFF', 'READ_LEN'):
            subs[f'@CLONE_{n}@'] = define(cl, n)
    rl = 'prog_tests/release.c'
    if 'release' in keep:
        subs['@RELEASE_DEFS@'] = ''.join(
            f'#define {n} {define(rl, n)}\n'
            for n in ('CHURN', 'CHURN_WARMUP', 'MIN_STATE_SIZE'))
        subs['@ROWS:churns@'] = reformat_rows(
            table(rl, 'churns', 'churn'), {})
    for k, v in subs.items():
        c = c.replace(k, v)
    if re.search(r'@[A-Z_:a-z]+@', c):
        die('upstream/prog_tests/file_dynptr.c.in: a placeholder left')
    return c


# ---- the series ----------------------------------------------------------

def patches(version):
    vprog, names, dropped = verifier_prog(version)
    p = SELFTESTS + '/'
    test = p + 'prog_tests/file_dynptr.c'
    return [
        ('verifier_file_dynptr.msg', {
            p + 'progs/verifier_file_dynptr.c': vprog,
            p + 'prog_tests/verifier_file_dynptr.c':
                glue('prog_tests/verifier_file_dynptr.c.in'),
        }),
        ('file_dynptr_read.msg', {
            p + 'progs/file_dynptr.h': shared_header(),
            p + 'progs/file_dynptr_reads.c': reads_prog(),
            test: runtime_test({'read'}),
        }),
        ('file_dynptr_fault.msg', {
            test: runtime_test({'read', 'fault'}),
        }),
        ('file_dynptr_creation.msg', {
            p + 'progs/file_dynptr_creation.c': creation_prog(),
            test: runtime_test({'read', 'fault', 'creation'}),
        }),
        ('file_dynptr_release.msg', {
            p + 'progs/file_dynptr_reads.c': reads_prog(with_release=True),
            test: runtime_test({'read', 'fault', 'creation', 'release'}),
        }),
        ('file_dynptr_clone.msg', {
            p + 'progs/file_dynptr_clone.c': clone_prog(),
            test: runtime_test({'read', 'fault', 'creation', 'release',
                                'clone'}),
        }),
    ], names, dropped


def git(repo, *args, env=None, capture=False):
    r = subprocess.run(['git', '-C', repo] + list(args), env=env,
                       stdout=subprocess.PIPE if capture else
                       subprocess.DEVNULL, text=True)
    if r.returncode:
        die(f'git {" ".join(args)} failed ({r.returncode})')
    return r.stdout


def ident_env(ident, date):
    m = re.fullmatch(r'\s*(.*?)\s*<([^>]+)>\s*', ident)
    if not m:
        die(f'--from {ident!r}: not "Name <email>"', 2)
    env = dict(os.environ)
    for who in ('AUTHOR', 'COMMITTER'):
        env[f'GIT_{who}_NAME'], env[f'GIT_{who}_EMAIL'] = m.groups()
        env[f'GIT_{who}_DATE'] = date
    env['GIT_CONFIG_GLOBAL'] = os.devnull
    env['GIT_CONFIG_NOSYSTEM'] = '1'
    return env


def cover_letter(version, dropped, n_verifier):
    devs = deviations(version)
    known = []
    for sec, e in devs:
        if sec.split('/')[0] == 'verifier_file_dynptr':
            continue
        where = ''.join(f', {k} {e[k]}' for k in ('arch', 'scratch')
                        if k in e)
        known.append(f'- {sec} ({e["rule"]}, kernels {e["kernels"]}'
                     f'{where}): {e["reason"]}')
    for name, e in dropped:
        known.append(f'- verifier_file_dynptr/{name} ({e["rule"]}, kernels '
                     f'{e["kernels"]}, left out of patch 1): {e["reason"]}')
    older = [f'- {sec} ({e["rule"]}, kernels {e["kernels"]}): '
             f'{e["reason"]}' for sec, e in deviations(None)
             if sec.startswith('verifier_file_dynptr/') and
             not kernels_hold(e['kernels'], version)]
    out = [f'- {what}: {why}.' for what, why in LEFT_OUT]
    text = glue('cover-letter.in')
    text = text.replace('@N_VERIFIER@', str(n_verifier))
    text = text.replace('@KERNEL@', version)
    text = text.replace('@LEFT_OUT@', wrap_items(out))
    text = text.replace('@KNOWN@', wrap_items(known) or '- none')
    text = text.replace('@OLDER@', wrap_items(older) or '- none')
    return text


def wrap_items(items):
    return '\n'.join(textwrap.fill(i, 72, subsequent_indent='  ')
                     for i in items)


def write_series(out, version, ident):
    series, names, dropped = patches(version)
    # The date of the sources' last commit: the same sources, the same
    # series (outside a git tree, a fixed date).
    date = subprocess.run(['git', '-C', ROOT, 'log', '-1', '--format=%cI'],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          text=True).stdout.strip()
    env = ident_env(ident, date or '2026-12-08T00:00:00+00:00')
    repo = tempfile.mkdtemp(prefix='upstream-series.')
    try:
        git(repo, 'init', '-q', env=env)
        git(repo, 'commit', '-q', '--allow-empty', '-m', 'base', env=env)
        for msg, files in series:
            for path, text in files.items():
                full = os.path.join(repo, path)
                os.makedirs(os.path.dirname(full), exist_ok=True)
                with open(full, 'w') as f:
                    f.write(text.rstrip('\n') + '\n')
                git(repo, 'add', path, env=env)
            body = glue(msg).rstrip('\n') + f'\n\nSigned-off-by: {ident}\n'
            mfile = os.path.join(repo, '.git', 'MSG')
            with open(mfile, 'w') as f:
                f.write(body)
            git(repo, 'commit', '-q', '-F', mfile, env=env)
        os.makedirs(out, exist_ok=True)
        for f in os.listdir(out):
            if f.endswith('.patch'):
                os.unlink(os.path.join(out, f))
        git(repo, 'format-patch', '-q', '--cover-letter', '--no-signature',
            '--subject-prefix=PATCH bpf-next', '-o', os.path.abspath(out),
            'HEAD~%d' % len(series), env=env)
        fill_cover(os.path.join(out, '0000-cover-letter.patch'),
                   cover_letter(version, dropped, len(names)))
    finally:
        shutil.rmtree(repo)
    return len(series), names, dropped


def fill_cover(path, text):
    with open(path) as f:
        cover = f.read()
    subject, body = text.split('\n', 1)
    cover = cover.replace('*** SUBJECT HERE ***', subject)
    cover = cover.replace('*** BLURB HERE ***', body.strip('\n'))
    with open(path, 'w') as f:
        f.write(cover)


def main():
    ap = argparse.ArgumentParser(
        description='Write the suite\'s movable themes as a selftests/bpf '
        'patch series (see the head of this file).')
    ap.add_argument('-o', '--out', default=os.path.join(ROOT, 'build',
                                                        'upstream'))
    ap.add_argument('--kernel', default='7.3.4')
    ap.add_argument('--from', dest='ident', default=DEFAULT_FROM)
    ap.add_argument('--list', action='store_true')
    a = ap.parse_args()
    if not re.fullmatch(r'\d+\.\d+(\.\d+)?', a.kernel):
        die(f'--kernel {a.kernel!r}: not a version such as 7.3.4', 2)
    if a.list:
        _, names, dropped = patches(a.kernel)
        print(f'verifier_file_dynptr: {len(names)} programs in, '
              f'{len(dropped)} out ({", ".join(n for n, _ in dropped)})')
        for what, why in LEFT_OUT:
            print(f'out: {what}: {why}')
        return
    n, names, dropped = write_series(a.out, a.kernel, a.ident)
    print(f'upstream-series: {n} patches and a cover letter in {a.out} '
          f'({len(names)} verifier programs, {len(dropped)} left out on '
          f'{a.kernel})')


if __name__ == '__main__':
    main()
