#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-lint.sh: the gates on the sources, as make check runs them.
#
#  - every C file is as clang-format 14 (Debian 12's) formats it with the
#    project's .clang-format; other versions break some lines differently,
#    so the gate names its version (CLANG_FORMAT= to use another);
#  - every shell script is clean for shellcheck at severity warning, with
#    the project's .shellcheckrc; each exception is a disable comment, with
#    its reason, where it applies;
#  - warnings are errors in the build of the runner and of the programs;
#  - the README's measured figures are the parts scripts/numbers.py writes,
#    each well formed and saying when it was measured.
#
# Prints one line per check and "N passed, N failed". Exit 1 if one failed.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1
CLANG_FORMAT=${CLANG_FORMAT:-clang-format-14}
passed=0 failed=0

ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1"; failed=$((failed + 1)); }

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

shell_scripts()
{
	local f
	sources '*' | while IFS= read -r f; do
		[[ -f $f ]] || continue
		case $f in
		*.sh) echo "$f" ;;
		*.py | *.c | *.h | *.md) ;;
		*) head -n 1 "$f" | grep -qE '^#!.*\b(ba|da)?sh\b' && echo "$f" ;;
		esac
	done
}

check_format()
{
	local f dirty=() n=0

	if ! command -v "$CLANG_FORMAT" >/dev/null; then
		bad "C sources formatted: $CLANG_FORMAT not found (scripts/deps.sh check installs it)"
		return
	fi
	while IFS= read -r f; do
		n=$((n + 1))
		"$CLANG_FORMAT" --style=file "$f" | cmp -s - "$f" || dirty+=("$f")
	done < <(sources '*.c' '*.h')
	if ((${#dirty[@]})); then
		bad "C sources formatted ($CLANG_FORMAT): ${#dirty[@]} of $n files differ; fix with: $CLANG_FORMAT -i ${dirty[*]}"
	else
		ok "C sources formatted: $n files as $CLANG_FORMAT and .clang-format want"
	fi
}

check_shell()
{
	local scripts out

	if ! command -v shellcheck >/dev/null; then
		bad "shell scripts lint-free: shellcheck not found (scripts/deps.sh check installs it)"
		return
	fi
	mapfile -t scripts < <(shell_scripts)
	if out=$(shellcheck -S warning -f gcc "${scripts[@]}" 2>&1); then
		ok "shell scripts lint-free: ${#scripts[@]} scripts, shellcheck -S warning"
	else
		bad "shell scripts lint-free: shellcheck -S warning found $(grep -c ': \(error\|warning\):' <<<"$out") problems:"
		sed 's/^/     /' <<<"$out"
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
		bad "warnings are errors: make -n printed no compiler command"
		return
	fi
	lax=$(grep -v -- ' -Werror' <<<"$cmds" || true)
	if [[ -n $lax ]]; then
		bad "warnings are errors: these commands lack -Werror:"
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
		bad "README figures: $(grep '^FAIL' <<<"$out" | sed 's/^FAIL //' | paste -sd ';' -)"
	fi
}

check_format
check_shell
check_werror
check_readme_numbers
echo "$passed passed, $failed failed"
((failed == 0))
