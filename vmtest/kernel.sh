# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by the vmtest scripts, not run on its own.
# Kernels for vmtest: Debian's kernels by flavour and version, fetched with
# a private apt state (the system's apt configuration is never touched) into
# the cache, or a kernel image given by path.
#
# A kernel is named [FLAVOUR:]VERSION. The flavour says the architecture:
# cloud-amd64 (x86_64, the default), amd64 (the generic one), rt-amd64
# (PREEMPT_RT), cloud-arm64 (arm64's default), arm64 and arm64-16k (16 KiB
# pages). Without one, the architecture's default.

KERNEL_SUITES="trixie-backports sid experimental"
KERNEL_FLAVOURS="cloud-amd64 amd64 rt-amd64 cloud-arm64 arm64 arm64-16k"
KERNEL_VERSION_RE='^[0-9]+\.[0-9]+(\.[0-9]+)?(-rc[0-9]+)?$'

# kernel_set_arch ARCH: the guest's architecture (x86_64 or arm64), and with
# it Debian's name for it, the default flavour and the private apt state
# (one per architecture: an x86_64 user never fetches arm64's lists). Sets
# variables for the scripts that source this file.
# shellcheck disable=SC2034
kernel_set_arch()
{
	case $1 in
	x86_64 | x86 | amd64) VMT_ARCH=x86_64 VMT_DEBARCH=amd64 APT_DIR=$VMTEST_CACHE/apt ;;
	arm64 | aarch64) VMT_ARCH=arm64 VMT_DEBARCH=arm64 APT_DIR=$VMTEST_CACHE/apt-arm64 ;;
	*) die -c "$VMT_EXIT_USAGE" "unknown architecture '$1' (x86_64 or arm64)" ;;
	esac
	VMT_FLAVOUR=cloud-$VMT_DEBARCH
}
kernel_set_arch "${VMT_ARCH:-x86_64}"

# kernel_flavour_arch FLAVOUR: the architecture of a flavour.
kernel_flavour_arch()
{
	case $1 in
	amd64 | *-amd64) echo x86_64 ;;
	*arm64*) echo arm64 ;;
	esac
}

# kernel_parse SPEC [ARCH]: takes a -k argument apart, in the caller's
# shell: sets VMT_ARCH, VMT_FLAVOUR (and the apt state) and VMT_KVER (the
# version, or the image path; empty for the default version). ARCH, from
# --arch (may be empty), must agree with the flavour or image.
kernel_parse()
{
	local spec=$1 arch=${2-} flavour='' found

	if [[ -n $arch ]]; then
		kernel_set_arch "$arch"
		arch=$VMT_ARCH
	fi
	if [[ $spec == */* || -f $spec ]]; then
		VMT_KVER=$spec
		found=$(kernel_image_arch "$spec")
		[[ -n $found ]] || kernel_check_image "$spec"
		[[ -n $arch && $arch != "$found" ]] &&
			die -c "$VMT_EXIT_USAGE" "kernel image $spec is an $found kernel, not $arch"
		kernel_set_arch "$found"
		# Whole? Said before anything slower looks at the runner.
		kernel_check_image "$spec"
		return 0
	fi
	if [[ $spec == *:* ]]; then
		flavour=${spec%%:*}
		spec=${spec#*:}
		[[ " $KERNEL_FLAVOURS " == *" $flavour "* ]] ||
			die -c "$VMT_EXIT_USAGE" "unknown kernel flavour '$flavour' (one of: $KERNEL_FLAVOURS)"
		found=$(kernel_flavour_arch "$flavour")
		[[ -n $arch && $arch != "$found" ]] &&
			die -c "$VMT_EXIT_USAGE" "flavour $flavour is an $found kernel, not $arch"
		arch=$found
	fi
	[[ -z $spec || $spec =~ $KERNEL_VERSION_RE ]] ||
		die -c "$VMT_EXIT_USAGE" "'$1' is neither a kernel image path nor a Debian kernel [FLAVOUR:]VERSION such as 6.19.14 or arm64-16k:7.3.4"
	kernel_set_arch "${arch:-$VMT_ARCH}"
	[[ -n $flavour ]] && VMT_FLAVOUR=$flavour
	VMT_KVER=$spec
}

# kernel_label: the kernel's name in results and cache paths: VERSION for
# the x86_64 default flavour (as always), FLAVOUR:VERSION otherwise.
kernel_label()
{
	local ver=${1:-$VMT_KVER}

	[[ $VMT_FLAVOUR == cloud-amd64 ]] && echo "$ver" || echo "$VMT_FLAVOUR:$ver"
}

# kernel_dir VERSION: where the cache keeps that kernel of the flavour.
kernel_dir()
{
	[[ $VMT_FLAVOUR == cloud-amd64 ]] && echo "$VMTEST_CACHE/kernels/$1" ||
		echo "$VMTEST_CACHE/kernels/$1-$VMT_FLAVOUR"
}

# The archive that serves this machine's Debian release, from its own apt
# configuration: no mirror name is written in this repository.
archive_uri()
{
	apt-get indextargets --no-release-info --format '$(REPO_URI) $(RELEASE)' |
		awk '$2 !~ /-(security|updates)$/ { print $1; exit }'
}

# apt_private / apt_cache_private ARG...: apt-get / apt-cache on the
# private apt state.
apt_private() { apt_state apt-get -q "$@"; }
apt_cache_private() { apt_state apt-cache "$@"; }
apt_state()
{
	local tool=$1
	shift
	"$tool" -o Dir::Etc::SourceList="$APT_DIR/sources.list" \
		-o Dir::Etc::SourceParts=/nonexistent \
		-o APT::Architecture="$VMT_DEBARCH" -o APT::Architectures="$VMT_DEBARCH" \
		-o Dir::State::Lists="$APT_DIR/lists" \
		-o Dir::State::status="$APT_DIR/status" \
		-o Dir::Cache="$APT_DIR/cache" \
		-o APT::Sandbox::User=root \
		-o Acquire::Check-Valid-Until=false \
		-o Debug::NoLocking=1 "$@"
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
	lock_wait "$fd" "$1" "$2" 900 || die "the lock $1 is held by another run"
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

# Prints "VERSION PACKAGE" for every Debian kernel package of the flavour,
# oldest first. A version may have two: from 6.19 on, linux-binary-* holds the image
# and linux-image-* may be a package without one; linux-binary sorts first.
# Callers run kernel_lists_update first, in their own shell, so that its
# failure ends them (here it may run in a pipeline's subshell).
kernel_packages()
{
	kernel_lists_update
	apt_cache_private pkgnames linux- |
		sed -nE "s/^(linux-(binary|image)-([0-9][0-9a-z.~-]*)\\+deb[0-9]+-$VMT_FLAVOUR)\$/\\3 \\1/p" |
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

# kernel_image_arch IMAGE: x86_64 for an x86 boot image ("HdrS" at 0x202),
# arm64 for an arm64 Image ("ARM\x64" at 0x38), nothing otherwise.
kernel_image_arch()
{
	if [[ $(dd if="$1" bs=1 skip=514 count=4 2>/dev/null | tr -d "\0") == HdrS ]]; then
		echo x86_64
	elif [[ $(dd if="$1" bs=1 skip=56 count=4 2>/dev/null | tr -d "\0") == ARMd ]]; then
		echo arm64
	fi
}

# le32 FILE OFFSET: the little-endian 32-bit word at OFFSET.
le32() { od -An -tu4 -j "$2" -N 4 "$1" | tr -d ' '; }

# Exits unless $1 is a whole boot image of the guest's architecture. x86:
# at least the setup sectors plus syssize (0x1f4, in 16-byte units) of
# protected-mode code. arm64: when it is an EFI (PE) image, as Debian's are,
# its last section and its signature. A truncated file is named as such.
kernel_check_image()
{
	local arch want have pe opt nsec i end

	[[ -f $1 && -r $1 ]] || die "kernel image $1: no such readable file"
	arch=$(kernel_image_arch "$1")
	[[ -n $arch ]] ||
		die "kernel image $1 is not a bootable x86_64 or arm64 kernel (no boot header); corrupt or wrong file?"
	[[ $arch == "$VMT_ARCH" ]] ||
		die -c "$VMT_EXIT_USAGE" "kernel image $1 is an $arch kernel, not $VMT_ARCH"
	have=$(stat -Lc %s "$1")
	if [[ $arch == x86_64 ]]; then
		want=$(od -An -tu1 -j 497 -N 1 "$1" | tr -d ' ')
		((want == 0)) && want=4
		want=$(((want + 1) * 512 + $(le32 "$1" 500) * 16))
	else
		want=64
		pe=$(le32 "$1" 60)
		if [[ $(dd if="$1" bs=1 skip="$pe" count=4 2>/dev/null | tr -d '\0') == PE ]]; then
			nsec=$(od -An -tu2 -j $((pe + 6)) -N 2 "$1" | tr -d ' ')
			opt=$(od -An -tu2 -j $((pe + 20)) -N 2 "$1" | tr -d ' ')
			for ((i = 0; i < nsec; i++)); do
				end=$(($(le32 "$1" $((pe + 24 + opt + 40 * i + 16))) +
					$(le32 "$1" $((pe + 24 + opt + 40 * i + 20)))))
				((end > want)) && want=$end
			done
			# The certificate table (data directory 4 of a PE32+ header).
			end=$(($(le32 "$1" $((pe + 24 + 112 + 32))) + $(le32 "$1" $((pe + 24 + 112 + 36)))))
			((end > want)) && want=$end
		fi
	fi
	((have >= want)) ||
		die "kernel image $1 is truncated: $have bytes, its boot header says at least $want"
}

# kernel_fetch_package PKG DEST: downloads PKG, checks it against the
# SHA256 the archive's index gives, copies its vmlinuz to DEST. Fails
# (without exiting) if the package holds no kernel image.
kernel_fetch_package()
{
	local pkg=$1 dest=$2 work image rc=1

	work=$(mktemp -d "$VMTEST_CACHE/fetch.XXXXXX" 2>/dev/null) ||
		cache_fail "$VMTEST_CACHE" "a kernel package"
	if kernel_fetch_deb "$pkg" "$work"; then
		# 6.19 packages keep it in /boot, 7.3 ones in /usr/lib/modules/<ver>/.
		image=$(find "$work/root/boot" "$work/root/usr/lib/modules" \
			\( -name 'vmlinuz*' -o -name vmlinuz \) -type f 2>/dev/null | head -n 1)
		[[ -n $image ]] && mv "$image" "$dest" && rc=0
	fi
	rm -rf "$work"
	return $rc
}

# kernel_fetch_deb PKG WORK: downloads PKG into the directory WORK, checks
# it against the SHA256 the archive's index gives and unpacks it in
# WORK/root. Fails (without exiting) when it cannot, saying why; a full or
# read-only cache ends the run.
kernel_fetch_deb()
{
	local pkg=$1 work=$2 want got

	info "fetching $pkg"
	if (cd "$work" && apt_private download "$pkg" >download.log 2>&1); then
		want=$(apt_cache_private show --no-all-versions "$pkg" 2>/dev/null |
			sed -n 's/^SHA256: //p' | head -n 1)
		got=$(sha256sum "$work"/*.deb | cut -d' ' -f1)
		if [[ -z $want || $want != "$got" ]]; then
			info "$pkg: the download's SHA256 $got is not the archive's ${want:-(none)}"
			return 1
		fi
		dpkg-deb -x "$work"/*.deb "$work/root" && return 0
		cache_fail "$work" "$pkg"
	elif grep -qiE 'No space left|Read-only file system' "$work/download.log"; then
		rm -rf "$work"
		cache_fail "$VMTEST_CACHE" "$pkg"
	fi
	info "$pkg: $(grep -m1 -E '^(E|Err):' "$work/download.log" | cut -c1-160)"
	return 1
}

# What the guest needs of a kernel that the flavour builds as modules: the
# NVMe driver and ext4, for the scratch disk whose page cache the tests
# evict. Debian's cloud flavours build both in; the others (amd64, rt-amd64,
# arm64, arm64-16k) do not (their BTF has no nvme_probe, no ext4_fill_super).
GUEST_MODULES="nvme ext4"
kernel_needs_modules() { [[ $VMT_FLAVOUR != cloud-* ]]; }

# kernel_modules VERSION: prints the directory holding the GUEST_MODULES of
# the flavour's VERSION and their dependencies (uncompressed) and "order",
# their names in load order; fetched from Debian's linux-modules package
# once, kept beside the kernel. Returns 2 when Debian has no such package.
kernel_modules()
{
	local ver=$1 dir pkg work tree

	dir=$(kernel_dir "$ver")/modules
	[[ -s $dir/order && -f $dir/.complete ]] && { echo "$dir"; return 0; }
	kernel_lists_update
	cache_lock "$(kernel_dir "$ver")/.lock" "fetching the modules of kernel $ver"
	[[ -s $dir/order && -f $dir/.complete ]] && { cache_unlock; echo "$dir"; return 0; }
	pkg=$(apt_cache_private pkgnames "linux-modules-$ver+" | grep -E "^linux-modules-$ver\+deb[0-9]+-$VMT_FLAVOUR\$" | head -n 1)
	if [[ -z $pkg ]]; then
		cache_unlock
		return 2
	fi
	cache_room "$VMTEST_CACHE" 300 "fetching kernel modules"
	work=$(mktemp -d "$VMTEST_CACHE/fetch.XXXXXX" 2>/dev/null) ||
		cache_fail "$VMTEST_CACHE" "a modules package"
	kernel_fetch_deb "$pkg" "$work" || { rm -rf "$work"; die "cannot fetch $pkg (above)"; }
	tree=$(find "$work/root/usr/lib/modules" "$work/root/lib/modules" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | head -n 1)
	rm -rf "$dir.part"
	mkdir -p "$dir.part" || cache_fail "$(dirname "$dir")" "kernel modules"
	# shellcheck disable=SC2086 # a list of module names
	modules_in_order "$tree" $GUEST_MODULES >"$dir.part/order" ||
		{ rm -rf "$work" "$dir.part"; die "$pkg: a module the guest needs is missing (above)"; }
	while read -r m; do
		modules_file "$tree" "$m" | xargs -r cat | modules_uncompress >"$dir.part/$m.ko" ||
			{ rm -rf "$work" "$dir.part"; die "$pkg: cannot unpack module $m"; }
	done <"$dir.part/order"
	touch "$dir.part/.complete"
	rm -rf "$dir" && mv "$dir.part" "$dir" || cache_fail "$(dirname "$dir")" "kernel modules"
	rm -rf "$work"
	cache_unlock
	echo "$dir"
}

# modules_file TREE NAME: the file of module NAME (- and _ alike).
modules_file()
{
	local pat=${2//[-_]/[-_]}

	find "$1" -name "$pat.ko" -o -name "$pat.ko.xz" -o -name "$pat.ko.zst" -o -name "$pat.ko.gz" | head -n 1
}

# modules_uncompress: a module, as it is or xz/zstd/gzip-compressed, plain.
modules_uncompress()
{
	local head tmp

	tmp=$(mktemp) || return 1
	cat >"$tmp"
	head=$(od -An -tx1 -N 4 "$tmp" | tr -d ' ')
	case $head in
	fd377a58) xz -dc "$tmp" ;;
	28b52ffd) zstd -dc "$tmp" ;;
	1f8b*) gzip -dc "$tmp" ;;
	*) cat "$tmp" ;;
	esac
	local rc=$?
	rm -f "$tmp"
	return $rc
}

# modules_in_order TREE NAME...: NAME and what each depends on (its
# .modinfo "depends="), every module after its dependencies, once.
modules_in_order()
{
	local tree=$1 m f deps
	shift
	declare -A seen

	visit()
	{
		local m=$1 f d
		[[ -n ${seen[$m]-} ]] && return 0
		seen[$m]=1
		f=$(modules_file "$tree" "$m")
		[[ -n $f ]] || { info "module $m: not in the package"; return 1; }
		deps=$(modules_uncompress <"$f" | tr '\0' '\n' | sed -n 's/^depends=//p' | head -n 1)
		for d in ${deps//,/ }; do
			visit "$d" || return 1
		done
		echo "$m"
	}
	for m; do
		visit "$m" || return 1
	done
}

# kernel_cached_ok DIR: DIR/vmlinuz is there and matches the checksum
# recorded when it was unpacked.
kernel_cached_ok()
{
	[[ -f $1/vmlinuz && -f $1/vmlinuz.sha256 ]] &&
		(cd "$1" && sha256sum --status -c vmlinuz.sha256 2>/dev/null)
}

# Prints the path of the cached vmlinuz of Debian version $1 of the
# flavour, fetching it (again, if the cached one is damaged). Concurrent
# runs fetching the same kernel wait for each other.
kernel_fetch()
{
	local ver=$1 dir pkg pkgs damaged=

	dir=$(kernel_dir "$ver")
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
		die "Debian has no $VMT_FLAVOUR kernel $ver (in $KERNEL_SUITES); see 'vmtest.sh -l'$([[ $VMT_ARCH == arm64 ]] && echo " --arch arm64")"
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

# kernel_resolve: the kernel kernel_parse named, as an image path (the
# default version when none was named), fetched if need be.
kernel_resolve()
{
	local ver=$VMT_KVER

	if [[ -z $ver ]]; then
		ver=$(kernel_default_version)
		[[ -n $ver ]] || die "no 6.19 $VMT_FLAVOUR kernel found in Debian's archive"
	fi
	if [[ $ver == */* || -f $ver ]]; then
		kernel_check_image "$ver"
		echo "$ver"
	else
		kernel_fetch "$ver"
	fi
}
