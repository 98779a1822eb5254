#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# chroot.sh: fresh minimal Debian roots, for building and running the suite
# as on a new machine of another Debian release.
#
#   chroot.sh make SUITE DIR     a fresh minbase root of SUITE in DIR (which
#                                must not exist), apt set up for SUITE
#   chroot.sh run DIR CMD...     CMD in DIR, as root, with /proc, /sys and
#                                /dev, no standard input, a clean environment
#                                (plus the variables named in $CHROOT_ENV)
#
# A root is made with debootstrap --variant=minbase from the archive in this
# machine's own apt configuration, and cached as a tarball in
# $VMTEST_CACHE/chroots (kept 7 days), so the next one is an unpack. run
# mounts in a private mount namespace (unshare): the mounts go away with the
# command, whatever way it ends, and are never seen outside it.
set -uo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../vmtest/lib.sh"
source "$VMTEST_DIR/kernel.sh"

CHROOT_CACHE=$VMTEST_CACHE/chroots

cinfo() { printf 'chroot: %s\n' "$*" >&2; }

usage()
{
	sed -n '4,17s/^# \{0,1\}//p' "$0"
	exit "${1:-0}"
}

# tarball_fresh FILE: exists and is younger than 7 days.
tarball_fresh() { [[ -s $1 && -z $(find "$1" -mmin +10080 2>/dev/null) ]]; }

chroot_make()
{
	local suite=$1 dir=$2 uri tarball work

	[[ $suite =~ ^[a-z]+$ ]] || die -c "$VMT_EXIT_USAGE" "'$suite' is not a Debian suite name (bookworm, trixie, sid)"
	[[ ! -e $dir ]] || die -c "$VMT_EXIT_USAGE" "$dir exists: give a new directory"
	((EUID == 0)) || die "making a chroot needs root (debootstrap, mount)"
	need_cmd debootstrap unshare tar
	mkdir -p "$CHROOT_CACHE" || die "cannot create $CHROOT_CACHE (VMTEST_CACHE=$VMTEST_CACHE)"
	tarball=$CHROOT_CACHE/$suite-minbase.tar
	exec {lock}>"$CHROOT_CACHE/.$suite.lock"
	flock "$lock"
	if ! tarball_fresh "$tarball"; then
		uri=$(archive_uri)
		[[ -n $uri ]] || die "no Debian archive in this machine's apt configuration"
		work=$(mktemp -d "$CHROOT_CACHE/.make.XXXXXX") || die "cannot write to $CHROOT_CACHE"
		cinfo "debootstrap --variant=minbase $suite from $uri"
		if ! debootstrap --variant=minbase "$suite" "$work/root" "$uri" >"$work/debootstrap.log" 2>&1; then
			tail -n 5 "$work/debootstrap.log" >&2
			rm -rf "$work"
			die "debootstrap of $suite failed"
		fi
		tar -C "$work/root" -cf "$tarball.part" . && mv -f "$tarball.part" "$tarball" ||
			{ rm -rf "$work" "$tarball.part"; die "cannot write $tarball"; }
		rm -rf "$work"
	fi
	flock -u "$lock"
	mkdir -p "$dir" && tar -C "$dir" -xf "$tarball" || die "cannot unpack $tarball into $dir"
	# This archive is a frozen snapshot: sid's Release file is past its
	# Valid-Until date, which a fresh root refuses.
	cat >"$dir/etc/apt/apt.conf.d/90suite-check" <<-EOF
		Acquire::Check-Valid-Until "false";
		APT::Install-Recommends "false";
	EOF
}

chroot_run()
{
	local dir=$1 var env=()
	shift

	[[ -d $dir/etc ]] || die -c "$VMT_EXIT_USAGE" "$dir is not a root file system"
	((EUID == 0)) || die "entering a chroot needs root"
	env=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	     HOME=/root TERM=dumb LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive)
	for var in ${CHROOT_ENV-}; do
		[[ -n ${!var+set} ]] && env+=("$var=${!var}")
	done
	cp -L /etc/resolv.conf "$dir/etc/resolv.conf" 2>/dev/null
	unshare --mount --propagation private -- /bin/bash -c '
		dir=$1
		shift
		# The root a mount of its own, so that unshare --mount works in it.
		mount --bind "$dir" "$dir" &&
			mount -t proc proc "$dir/proc" &&
			mount --rbind /sys "$dir/sys" &&
			mount --rbind /dev "$dir/dev" || exit 125
		exec chroot "$dir" /usr/bin/env -i "$@"
	' chroot-run "$dir" "${env[@]}" "$@" </dev/null
}

case ${1-} in
make) (($# == 3)) || usage 2; chroot_make "$2" "$3" ;;
run) (($# >= 3)) || usage 2; shift; chroot_run "$@" ;;
-h | --help) usage 0 ;;
*) usage 2 ;;
esac
