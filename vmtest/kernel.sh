# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by the vmtest scripts, not run on its own.
# Kernels for vmtest: Debian's cloud kernels by version, fetched with a
# private apt state (the system's apt configuration is never touched) into
# the cache, or a kernel image given by path.

KERNEL_SUITES="trixie-backports sid experimental"
APT_DIR=$VMTEST_CACHE/apt

# The archive that serves this machine's Debian release, from its own apt
# configuration: no mirror name is written in this repository.
archive_uri()
{
	apt-get indextargets --no-release-info --format '$(REPO_URI) $(RELEASE)' |
		awk '$2 !~ /-(security|updates)$/ { print $1; exit }'
}

apt_private()
{
	apt-get -q -o Dir::Etc::SourceList="$APT_DIR/sources.list" \
		-o Dir::Etc::SourceParts=/nonexistent \
		-o Dir::State::Lists="$APT_DIR/lists" \
		-o Dir::State::status="$APT_DIR/status" \
		-o Dir::Cache="$APT_DIR/cache" \
		-o APT::Sandbox::User=root \
		-o Acquire::Check-Valid-Until=false \
		-o Debug::NoLocking=1 "$@"
}

apt_cache_private()
{
	apt-cache -o Dir::Etc::SourceList="$APT_DIR/sources.list" \
		-o Dir::Etc::SourceParts=/nonexistent \
		-o Dir::State::Lists="$APT_DIR/lists" \
		-o Dir::State::status="$APT_DIR/status" \
		-o Dir::Cache="$APT_DIR/cache" "$@"
}

# cache_fail DIR WHAT: dies with one line on why DIR cannot take WHAT: a
# read-only or full cache names itself and VMTEST_CACHE.
cache_fail()
{
	local dir=$1 what=$2 free

	while [[ ! -d $dir && $dir == */* ]]; do dir=${dir%/*}; done
	if [[ ! -w $dir ]] || ! (: >"$dir/.vmtest-write-test") 2>/dev/null; then
		die "the cache directory $dir is not writable (read-only?), so $what cannot be stored: point VMTEST_CACHE (now $VMTEST_CACHE) at a writable directory"
	fi
	rm -f "$dir/.vmtest-write-test"
	free=$(df -Pk "$dir" 2>/dev/null | awk 'NR == 2 { print $4 }')
	if [[ -n $free ]] && ((free < 65536)); then
		die "the cache directory $dir is full ($free kB free), so $what cannot be stored: free some space or point VMTEST_CACHE (now $VMTEST_CACHE) elsewhere"
	fi
	die "cannot store $what in $dir (VMTEST_CACHE=$VMTEST_CACHE)"
}

# cache_room DIR MB WHAT: DIR's filesystem has MB megabytes free, or the
# run ends saying the cache is full (apt can hang on a full disk rather
# than fail, so this is checked before it starts).
cache_room()
{
	local free

	free=$(df -Pk "$1" 2>/dev/null | awk 'NR == 2 { print $4 }')
	[[ -z $free ]] || ((free >= $2 * 1024)) && return 0
	die "the cache directory $1 is full ($free kB free, $3 needs about $2 MB): free some space or point VMTEST_CACHE (now $VMTEST_CACHE) elsewhere"
}

# cache_mkdir DIR: DIR exists and is writable, or the run ends saying so.
cache_mkdir()
{
	mkdir -p "$1" 2>/dev/null && [[ -w $1 ]] || cache_fail "$1" "anything"
}

# cache_lock FILE WHAT: takes an exclusive lock on FILE for the rest of the
# (sub)shell, saying so when another run holds it. Runs sharing a cache wait
# for each other instead of writing the same files.
cache_lock()
{
	local fd

	{ exec {fd}>>"$1"; } 2>/dev/null || cache_fail "$(dirname "$1")" "a lock"
	if ! flock -n "$fd"; then
		info "waiting for another run that is $2 (lock $1)"
		flock -w 900 "$fd" || die "gave up after 900 s waiting for the lock $1"
	fi
	VMT_LOCK_FD=$fd
}

cache_unlock() { [[ -n ${VMT_LOCK_FD-} ]] && exec {VMT_LOCK_FD}>&-; VMT_LOCK_FD=; }

lists_fresh()
{
	local stamp=$APT_DIR/lists/.updated

	[[ -f $stamp ]] && [[ -z $(find "$stamp" -mmin +1440) ]]
}

# Refreshes the private package lists when missing or older than a day,
# under a lock: concurrent runs update once, the others wait and use it.
kernel_lists_update()
{
	local uri suite

	lists_fresh && return 0
	need_cmd apt-get apt-cache dpkg-deb flock
	cache_mkdir "$APT_DIR"
	cache_lock "$APT_DIR/.lock" "updating the package lists"
	if lists_fresh; then
		cache_unlock
		return 0
	fi
	cache_room "$APT_DIR" 200 "updating the package lists"
	uri=$(archive_uri)
	[[ -n $uri ]] || die "no Debian archive in this machine's apt configuration"
	mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial" ||
		cache_fail "$APT_DIR" "the package lists"
	: >"$APT_DIR/status" || cache_fail "$APT_DIR" "the package lists"
	for suite in $KERNEL_SUITES; do
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite main"
	done >"$APT_DIR/sources.list" || cache_fail "$APT_DIR" "the package lists"
	info "updating Debian package lists ($KERNEL_SUITES) from $uri"
	if ! apt_private update >"$APT_DIR/update.log" 2>&1; then
		grep -qiE 'No space left|Read-only file system' "$APT_DIR/update.log" &&
			cache_fail "$APT_DIR" "the package lists"
		die "apt-get update failed for $uri: $(grep -m1 -E '^(E|Err):' "$APT_DIR/update.log" | cut -c1-160) (log: $APT_DIR/update.log)"
	fi
	touch "$APT_DIR/lists/.updated"
	cache_unlock
}

# Prints "VERSION PACKAGE" for every Debian cloud kernel package, oldest
# first. A version may have two: from 6.19 on, linux-binary-* holds the image
# and linux-image-* may be a package without one; linux-binary sorts first.
# Callers run kernel_lists_update first, in their own shell, so that its
# failure ends them (here it may run in a pipeline's subshell).
kernel_packages()
{
	kernel_lists_update
	apt_cache_private pkgnames linux- |
		sed -nE 's/^(linux-(binary|image)-([0-9][0-9a-z.~-]*)\+deb[0-9]+-cloud-amd64)$/\3 \1/p' |
		sort -k1,1V -k2,2
}

kernel_list()
{
	kernel_lists_update
	kernel_packages | awk '{ print $1 }' | uniq
}

# The newest 6.19.x: the first release with the kfunc, the default target.
kernel_default_version()
{
	kernel_lists_update
	kernel_list | grep -E '^6\.19\.[0-9]+$' | tail -n 1
}

# Exits unless $1 is an x86 boot image, whole: the "HdrS" signature at
# 0x202, and at least the setup sectors plus syssize (0x1f4, in 16-byte
# units) of protected-mode code, so a truncated file is named as such.
kernel_check_image()
{
	local magic want have

	[[ -f $1 && -r $1 ]] || die "kernel image $1: no such readable file"
	magic=$(dd if="$1" bs=1 skip=514 count=4 2>/dev/null)
	[[ $magic == HdrS ]] ||
		die "kernel image $1 is not a bootable x86 kernel (no bzImage header); corrupt or wrong file?"
	want=$(od -An -tu1 -j 497 -N 1 "$1" | tr -d ' ')
	((want == 0)) && want=4
	want=$(((want + 1) * 512 + $(od -An -tu4 -j 500 -N 4 "$1" | tr -d ' ') * 16))
	have=$(stat -Lc %s "$1")
	((have >= want)) ||
		die "kernel image $1 is truncated: $have bytes, its boot header says at least $want"
}

# kernel_fetch_package PKG DEST: downloads PKG, checks it against the
# SHA256 the archive's index gives, copies its vmlinuz to DEST. Fails
# (without exiting) if the package holds no kernel image.
kernel_fetch_package()
{
	local pkg=$1 dest=$2 work image rc=1 want got

	work=$(mktemp -d "$VMTEST_CACHE/fetch.XXXXXX" 2>/dev/null) ||
		cache_fail "$VMTEST_CACHE" "a kernel package"
	info "fetching $pkg"
	if (cd "$work" && apt_private download "$pkg" >download.log 2>&1); then
		want=$(apt_cache_private show --no-all-versions "$pkg" 2>/dev/null |
			sed -n 's/^SHA256: //p' | head -n 1)
		got=$(sha256sum "$work"/*.deb | cut -d' ' -f1)
		if [[ -z $want || $want != "$got" ]]; then
			info "$pkg: the download's SHA256 $got is not the archive's ${want:-(none)}"
		elif dpkg-deb -x "$work"/*.deb "$work/root"; then
			# 6.19 packages keep it in /boot, 7.3 ones in /usr/lib/modules/<ver>/.
			image=$(find "$work/root/boot" "$work/root/usr/lib/modules" \
				\( -name 'vmlinuz*' -o -name vmlinuz \) -type f 2>/dev/null | head -n 1)
			[[ -n $image ]] && mv "$image" "$dest" && rc=0
		fi
	elif grep -qiE 'No space left|Read-only file system' "$work/download.log"; then
		rm -rf "$work"
		cache_fail "$VMTEST_CACHE" "$pkg"
	else
		info "$pkg: $(grep -m1 -E '^(E|Err):' "$work/download.log" | cut -c1-160)"
	fi
	rm -rf "$work"
	return $rc
}

# kernel_cached_ok DIR: DIR/vmlinuz is there and matches the checksum
# recorded when it was unpacked.
kernel_cached_ok()
{
	[[ -f $1/vmlinuz && -f $1/vmlinuz.sha256 ]] &&
		(cd "$1" && sha256sum --status -c vmlinuz.sha256 2>/dev/null)
}

# Prints the path of the cached vmlinuz of Debian version $1, fetching it
# (again, if the cached one is damaged). Concurrent runs fetching the same
# kernel wait for each other.
kernel_fetch()
{
	local ver=$1 dir=$VMTEST_CACHE/kernels/$1 pkg pkgs damaged=

	kernel_cached_ok "$dir" && { echo "$dir/vmlinuz"; return 0; }
	cache_mkdir "$dir"
	cache_lock "$dir/.lock" "fetching kernel $ver"
	if kernel_cached_ok "$dir"; then
		cache_unlock
		echo "$dir/vmlinuz"
		return 0
	fi
	if [[ -f $dir/vmlinuz && -f $dir/vmlinuz.sha256 ]]; then
		damaged="$dir/vmlinuz does not match the checksum recorded when it was unpacked"
		info "the cached kernel is damaged ($damaged): fetching it again"
	elif [[ -f $dir/vmlinuz ]]; then
		damaged="$dir/vmlinuz has no checksum recorded"
		info "the cached kernel $ver has no checksum recorded (a cache from before checksums): fetching it again"
	fi
	kernel_lists_update
	cache_room "$dir" 100 "fetching a kernel"
	pkgs=$(kernel_packages | awk -v v="$ver" '$1 == v { print $2 }')
	if [[ -z $pkgs ]]; then
		[[ -n $damaged ]] && die "the cached kernel $ver is damaged ($damaged) and Debian's archive offers it no more"
		die "Debian has no cloud kernel $ver (in $KERNEL_SUITES); see 'vmtest.sh -l'"
	fi
	for pkg in $pkgs; do
		if kernel_fetch_package "$pkg" "$dir/vmlinuz.part"; then
			(cd "$dir" && sha256sum vmlinuz.part | sed 's/vmlinuz\.part$/vmlinuz/' >vmlinuz.sha256.part) &&
				mv -f "$dir/vmlinuz.part" "$dir/vmlinuz" &&
				mv -f "$dir/vmlinuz.sha256.part" "$dir/vmlinuz.sha256" ||
				cache_fail "$dir" "kernel $ver"
			rm -f "$dir/vmlinux.btf" "$dir/vmlinux.btf.sha256"
			cache_unlock
			echo "$dir/vmlinuz"
			return 0
		fi
	done
	rm -f "$dir/vmlinuz.part"
	[[ -n $damaged ]] && die "the cached kernel $ver is damaged ($damaged) and cannot be fetched again (above)"
	die "no kernel image in Debian's package(s) for $ver: $pkgs"
}

# Resolves a -k argument (empty: the default) to a kernel image path.
kernel_resolve()
{
	local arg=$1

	if [[ -z $arg ]]; then
		arg=$(kernel_default_version)
		[[ -n $arg ]] || die "no 6.19 kernel found in Debian's archive"
	fi
	if [[ $arg == */* || -f $arg ]]; then
		kernel_check_image "$arg"
		echo "$arg"
	elif [[ $arg =~ ^[0-9]+\.[0-9]+(\.[0-9]+)?(-rc[0-9]+)?$ ]]; then
		kernel_fetch "$arg"
	else
		die -c "$VMT_EXIT_USAGE" "'$arg' is neither a kernel image path nor a Debian kernel version such as 6.19.14"
	fi
}
