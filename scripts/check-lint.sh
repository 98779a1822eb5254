#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-lint.sh: the gates on the sources (make lint; make check runs it).
#
#  - every C file is as clang-format 14 (Debian 12's) formats it with the
#    project's .clang-format; other versions break some lines differently,
#    so the gate names its version (CLANG_FORMAT= to use another). Where
#    this system's archive has no clang-format-14 (Debian 13, sid) the
#    check is skipped, saying so; where it has it, it must be installed;
#  - every shell script is clean for shellcheck at severity warning, with
#    the project's .shellcheckrc; each exception is a disable comment, with
#    its reason, where it applies;
#  - every Python program is clean for pyflakes (Debian's python3-pyflakes);
#  - no function of the C, Python and shell sources is over 80 lines
#    (scripts/check-funclen.py);
#  - warnings are errors in the build of the runner and of the programs;
#  - the README's measured figures are the parts scripts/numbers.py writes,
#    each well formed and saying when it was measured.
#
# Prints one line per check and "N passed, N failed, N skipped". Exit 1 if
# one failed.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1
CLANG_FORMAT=${CLANG_FORMAT:-clang-format-14}
. scripts/checks.sh

# The project's files, as committed (untracked build output left out).
sources()
{
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files -- "$@"
	else
		local p
		for p; do find . -path ./build -prune -o -path "./$p" -print; done |
			sed 's|^\./||'
	fi
}

# programs EXT SHEBANG: the files named *.EXT, or with no known extension
# and a #! line matching the extended regex SHEBANG.
programs()
{
	local f
	sources '*' | while IFS= read -r f; do
		[[ -f $f ]] || continue
		case $f in
		*."$1") echo "$f" ;;
		*.sh | *.py | *.c | *.h | *.md) ;;
		*) head -n 1 "$f" | grep -qE "^#!.*$2" && echo "$f" ;;
		esac
	done
}

# The files clang-format would change, from one run over all of them.
unformatted()
{
	"$CLANG_FORMAT" --style=file --dry-run -Werror "$@" 2>&1 |
		sed -nE 's/^([^: ]+):[0-9]+:[0-9]+: error: .*clang-format-violations.*/\1/p' | sort -u
}

check_format()
{
	local files dirty

	if ! command -v "$CLANG_FORMAT" >/dev/null; then
		if [[ $CLANG_FORMAT == clang-format-14 ]] &&
			! apt-cache show clang-format-14 >/dev/null 2>&1; then
			skip "C sources formatted: this system's archive has no clang-format-14, the version whose format the sources keep (others break lines differently); Debian 12 has it (or CLANG_FORMAT=clang-format-N to compare with another)"
		else
			not_ok "C sources formatted: $CLANG_FORMAT not found (scripts/deps.sh check installs it)"
		fi
		return
	fi
	mapfile -t files < <(sources '*.c' '*.h')
	mapfile -t dirty < <(unformatted "${files[@]}")
	if ((${#dirty[@]})); then
		not_ok "C sources formatted ($CLANG_FORMAT): ${#dirty[@]} of ${#files[@]} files differ; fix with: $CLANG_FORMAT -i ${dirty[*]}"
	else
		ok "C sources formatted: ${#files[@]} files as $CLANG_FORMAT and .clang-format want"
	fi
}

check_shell()
{
	local scripts out cores

	if ! command -v shellcheck >/dev/null; then
		not_ok "shell scripts lint-free: shellcheck not found (scripts/deps.sh check installs it)"
		return
	fi
	mapfile -t scripts < <(programs sh '\b(ba|da)?sh\b')
	# One shellcheck per core, each on its share of the scripts.
	cores=$(nproc)
	if out=$(printf '%s\0' "${scripts[@]}" |
		xargs -0 -n $(((${#scripts[@]} + cores - 1) / cores)) -P "$cores" \
			shellcheck -S warning -f gcc 2>&1); then
		ok "shell scripts lint-free: ${#scripts[@]} scripts, shellcheck -S warning"
	else
		not_ok "shell scripts lint-free: shellcheck -S warning found $(grep -c ': \(error\|warning\):' <<<"$out") problems:"
		sed 's/^/     /' <<<"$out"
	fi
}

# pyflakes, as Debian's python3 runs it (the one its python3-* serve).
check_python()
{
	local progs out

	if ! /usr/bin/python3 -c 'import pyflakes' 2>/dev/null; then
		not_ok "Python programs pyflakes-clean: pyflakes not found (scripts/deps.sh check installs python3-pyflakes)"
		return
	fi
	mapfile -t progs < <(programs py '\bpython')
	if out=$(/usr/bin/python3 -m pyflakes "${progs[@]}" 2>&1); then
		ok "Python programs pyflakes-clean: ${#progs[@]} programs"
	else
		not_ok "Python programs pyflakes-clean: pyflakes found $(grep -c . <<<"$out") problems:"
		sed 's/^/     /' <<<"$out"
	fi
}

check_funclen()
{
	local out

	if out=$(scripts/check-funclen.py 2>&1); then
		ok "$(grep "^functions: " <<<"$out")"
	else
		not_ok "functions at most 80 lines: scripts/check-funclen.py says:"
		grep -v ' passed, ' <<<"$out" | sed 's/^/     /'
	fi
}

# Each compiler command make would run carries -Werror.
check_werror()
{
	local cmds lax

	# The compiler lines: BPF objects (clang) and the runner (cc).
	cmds=$(make -n -B OUTPUT=build/lint-dry 2>/dev/null |
		grep -E '^[^ ]*(clang|cc|gcc)(-[0-9]+)? .*(-target bpf|-DTEST_BUILD_INFO)' || true)
	if [[ -z $cmds ]]; then
		not_ok "warnings are errors: make -n printed no compiler command"
		return
	fi
	lax=$(grep -v -- ' -Werror' <<<"$cmds" || true)
	if [[ -n $lax ]]; then
		not_ok "warnings are errors: these commands lack -Werror:"
		sed 's/^/     /' <<<"$lax"
	else
		ok "warnings are errors: $(wc -l <<<"$cmds") compiler commands carry -Werror"
	fi
	rm -rf build/lint-dry
}

check_readme_numbers()
{
	local out

	if out=$(scripts/numbers.py --check 2>&1); then
		ok "README figures: every part as scripts/numbers.py writes it"
	else
		not_ok "README figures: $(grep '^FAIL' <<<"$out" | sed 's/^FAIL //' | paste -sd ';' -)"
	fi
}

check_format
check_shell
check_python
check_funclen
check_werror
check_readme_numbers
checks_done
