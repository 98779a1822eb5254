#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# toolchains.sh [-k KERNELS] [-o DIR] [TOOLCHAIN...]: builds the suite with
# each toolchain in a fresh Debian root (scripts/chroot.sh), runs each build
# on each kernel with this machine's vmtest, and compares every subtest's
# result with this machine's own build (vmtest/report.py --same).
#
# TOOLCHAIN: bookworm (clang 14, libbpf 1.1), bookworm-bpo (the same with
# backports' libbpf 1.4), trixie (clang 19, libbpf 1.5), sid (the newest
# Debian has). Default: all four. KERNELS default: "6.19.14 7.3.4".
#
# Prints a table (toolchain, versions, build time, result per kernel) and
# "N passed, N failed" (toolchain x kernel comparisons); the table is also
# DIR/table.md, which scripts/numbers.py puts in the README. Needs root.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kernels="6.19.14 7.3.4" outdir=
while getopts ":k:o:h" opt; do
	case $opt in
	k) kernels=$OPTARG ;;
	o) outdir=$OPTARG ;;
	h) sed -n '4,16s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "toolchains.sh: unknown option -$OPTARG (see -h)" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
(($#)) || set -- bookworm bookworm-bpo trixie sid
for tc; do
	case $tc in
	bookworm | bookworm-bpo | trixie | sid) ;;
	*) echo "toolchains.sh: unknown toolchain '$tc' (bookworm, bookworm-bpo, trixie, sid)" >&2; exit 2 ;;
	esac
done
((EUID == 0)) || { echo "toolchains.sh: needs root (chroots)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/var/tmp}/toolchains.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
outdir=${outdir:-$work/out}
mkdir -p "$outdir" || exit 1

# The reference: this machine's build on each kernel.
make -C "$top" --no-print-directory -s all || exit 1
for k in $kernels; do
	"$top/vmtest/vmtest.sh" -k "$k" -J "$outdir/host-$k.json" >"$outdir/host-$k.log" 2>&1
	echo "toolchains: host build on $k: exit $? ($(tail -n 2 "$outdir/host-$k.log" | head -n 1))"
done

# setup TOOLCHAIN ROOT: the commands that give ROOT the toolchain's packages.
setup_script()
{
	case $1 in
	bookworm-bpo)
		cat <<-'EOF'
			. /etc/os-release
			uri=$(apt-get indextargets --no-release-info --format '$(REPO_URI)' | head -n 1)
			echo "deb $uri bookworm-backports main" >/etc/apt/sources.list.d/backports.list
			apt-get update -q >/dev/null
			apt-get install -y -q -t bookworm-backports libbpf-dev libelf-dev >/dev/null
		EOF
		;;
	esac
}

pass=0 fail=0 table=()
for tc in "$@"; do
	suite=${tc%-bpo}
	root=$work/$tc
	echo "toolchains: $tc: a fresh $suite root"
	"$top/scripts/chroot.sh" make "$suite" "$root" || { fail=$((fail + 1)); continue; }
	mkdir -p "$root/src"
	git -C "$top" ls-files -z | (cd "$top" && xargs -0 cp --parents -t "$root/src" 2>/dev/null)
	start=$SECONDS
	script="set -e
		apt-get update -q >/dev/null
		apt-get install -y -q make >/dev/null
		cd /src
		scripts/deps.sh build
		$(setup_script "$tc")
		make -s
		echo \"versions: \$(clang --version | head -n 1 | sed 's/.*clang version //; s/ .*//') clang,\" \
			\"\$(dpkg-query -W -f '\${Version}' libbpf-dev) libbpf,\" \
			\"\$(bpftool version | head -n 1 | sed 's/.* v//') bpftool,\" \
			\"\$(dpkg-query -W -f '\${Version}' libelf-dev) elfutils\""
	if ! "$top/scripts/chroot.sh" run "$root" bash -c "$script" >"$outdir/$tc-build.log" 2>&1; then
		echo "toolchains: $tc: build failed:"
		tail -n 15 "$outdir/$tc-build.log" | sed 's/^/    /'
		fail=$((fail + 1))
		table+=("$(printf '| %s | build failed | | |' "$tc")")
		continue
	fi
	secs=$((SECONDS - start))
	versions=$(sed -n 's/^versions: //p' "$outdir/$tc-build.log")
	cells=
	for k in $kernels; do
		"$top/vmtest/vmtest.sh" -k "$k" -r "$root/src/build/test_progs" \
			-J "$outdir/$tc-$k.json" >"$outdir/$tc-$k.log" 2>&1
		counts=$("$top/vmtest/results.py" counts "$outdir/$tc-$k.json")
		if python3 "$top/vmtest/report.py" --same "$outdir/$tc-$k.json" "$outdir/host-$k.json" \
			>"$outdir/$tc-$k.same" 2>&1; then
			pass=$((pass + 1))
			cells+=" $counts, identical |"
		else
			fail=$((fail + 1))
			cells+=" $counts, DIFFERS |"
			grep '^differs' "$outdir/$tc-$k.same" | sed 's/^/    /'
		fi
	done
	echo "toolchains: $tc: $versions; built in $secs s;$cells"
	table+=("| $tc | $versions | $secs s |$cells")
	rm -rf "$root"
done

echo
{
	echo "| toolchain | versions | deps + build | $(sed 's/ / | /g' <<<"$kernels") |"
	echo "|---|---|---|$(for _ in $kernels; do printf -- '---|'; done)"
	printf '%s\n' "${table[@]}"
} | tee "$outdir/table.md"
"$top/vmtest/results.py" tally "$pass" "$fail"
