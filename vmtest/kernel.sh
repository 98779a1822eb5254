# SPDX-License-Identifier: GPL-2.0
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

# Refreshes the private package lists when missing or older than a day.
kernel_lists_update()
{
	local uri suite stamp=$APT_DIR/lists/.updated

	if [[ -f $stamp ]] && [[ -z $(find "$stamp" -mmin +1440) ]]; then
		return 0
	fi
	need_cmd apt-get apt-cache dpkg-deb
	uri=$(archive_uri)
	[[ -n $uri ]] || die "no Debian archive in this machine's apt configuration"
	mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial"
	: >"$APT_DIR/status"
	for suite in $KERNEL_SUITES; do
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite main"
	done >"$APT_DIR/sources.list"
	info "updating Debian package lists ($KERNEL_SUITES) from $uri"
	apt_private update >"$APT_DIR/update.log" 2>&1 ||
		die "apt-get update failed for $uri (see $APT_DIR/update.log)"
	touch "$stamp"
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

# Exits unless $1 is an x86 boot image: the "HdrS" signature at 0x202.
kernel_check_image()
{
	local magic

	[[ -f $1 && -r $1 ]] || die "kernel image $1: no such readable file"
	magic=$(dd if="$1" bs=1 skip=514 count=4 2>/dev/null)
	[[ $magic == HdrS ]] ||
		die "kernel image $1 is not a bootable x86 kernel (no bzImage header); corrupt or wrong file?"
}

# kernel_fetch_package PKG DEST: downloads PKG, copies its vmlinuz to DEST.
# Fails (without exiting) if the package holds no kernel image.
kernel_fetch_package()
{
	local pkg=$1 dest=$2 work image rc=1

	work=$(mktemp -d "$VMTEST_CACHE/fetch.XXXXXX") || return 1
	info "fetching $pkg"
	if (cd "$work" && apt_private download "$pkg" >download.log 2>&1) &&
	   dpkg-deb -x "$work"/*.deb "$work/root"; then
		# 6.19 packages keep it in /boot, 7.3 ones in /usr/lib/modules/<ver>/.
		image=$(find "$work/root/boot" "$work/root/usr/lib/modules" \
			\( -name 'vmlinuz*' -o -name vmlinuz \) -type f 2>/dev/null | head -n 1)
		[[ -n $image ]] && mv "$image" "$dest" && rc=0
	fi
	rm -rf "$work"
	return $rc
}

# Prints the path of the cached vmlinuz of Debian version $1, fetching it.
kernel_fetch()
{
	local ver=$1 dir=$VMTEST_CACHE/kernels/$1 pkg pkgs

	if [[ -f $dir/vmlinuz ]]; then
		echo "$dir/vmlinuz"
		return 0
	fi
	kernel_lists_update
	pkgs=$(kernel_packages | awk -v v="$ver" '$1 == v { print $2 }')
	[[ -n $pkgs ]] ||
		die "Debian has no cloud kernel $ver (in $KERNEL_SUITES); see 'vmtest.sh -l'"
	mkdir -p "$dir"
	for pkg in $pkgs; do
		if kernel_fetch_package "$pkg" "$dir/vmlinuz.part"; then
			mv "$dir/vmlinuz.part" "$dir/vmlinuz"
			echo "$dir/vmlinuz"
			return 0
		fi
	done
	rm -f "$dir/vmlinuz.part"
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
