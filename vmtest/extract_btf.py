#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Extract a kernel's BTF (its .BTF section) from a kernel image.

Usage: vmtest/extract_btf.py [--require NAME]... IMAGE OUT

IMAGE may be a raw BTF file, a vmlinux ELF, an x86 bzImage/vmlinuz (its
payload compressed with zstd, gzip or xz) or an arm64 Image (raw, or
gzip-compressed). OUT gets the raw BTF, which bpftool reads as
'bpftool btf dump file OUT'. With --require NAME the BTF must hold a
function (FUNC) of that name, such as a kfunc the build depends on.

Exit status: 0 written, 1 no BTF found or a required name missing (OUT is
not written), 2 usage. Standard library and the zstd command only.
"""
import gzip
import lzma
import os
import struct
import subprocess
import sys

BTF_MAGIC = 0xEB9F
BTF_HDR = struct.Struct("<HBBIIIII")  # magic version flags hdr_len type_off type_len str_off str_len
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


class NoBTF(Exception):
    pass


def decompress(data):
    """The decompressed bytes of a zstd, gzip or xz stream, or None."""
    if data.startswith(ZSTD_MAGIC):
        # Linux appends the uncompressed size (4 bytes) after the frame.
        for cut in (4, 0):
            try:
                r = subprocess.run(["zstd", "-dc"], input=data[:len(data) - cut],
                                   capture_output=True, check=False)
            except FileNotFoundError:
                raise NoBTF("the image is zstd-compressed and the zstd command is missing "
                            "(Debian package zstd)") from None
            if r.returncode == 0:
                return r.stdout
        return None
    if data.startswith(b"\x1f\x8b"):
        try:
            return gzip.decompress(data)
        except (OSError, EOFError):
            # Trailing bytes after the stream: read what decompresses.
            return gzip.GzipFile(fileobj=__import__("io").BytesIO(data)).read()
    if data.startswith(b"\xfd7zXZ\x00"):
        return lzma.decompress(data)
    return None


def bzimage_payload(data):
    """The compressed vmlinux inside an x86 boot image, or None."""
    if len(data) < 0x250 or data[0x202:0x206] != b"HdrS":
        return None
    setup_sects = data[0x1F1] or 4
    offset, length = struct.unpack_from("<II", data, 0x248)
    start = (setup_sects + 1) * 512 + offset
    return data[start:start + length]


def elf_section(data, name):
    """The contents of section NAME of a 64-bit ELF, or None."""
    if data[:4] != b"\x7fELF" or data[4] != 2:
        return None
    endian = "<" if data[5] == 1 else ">"
    shoff, = struct.unpack_from(endian + "Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from(endian + "HHH", data, 0x3A)
    sections = []
    for i in range(shnum):
        sh = struct.unpack_from(endian + "IIQQQQIIQQ", data, shoff + i * shentsize)
        sections.append(sh)
    strtab = sections[shstrndx]
    names = data[strtab[4]:strtab[4] + strtab[5]]
    for sh in sections:
        end = names.index(b"\0", sh[0])
        if names[sh[0]:end] == name.encode():
            return data[sh[4]:sh[4] + sh[5]]
    return None


def btf_at(data, pos):
    """The BTF blob starting at POS if a plausible header is there."""
    if pos + BTF_HDR.size > len(data):
        return None
    magic, version, flags, hdr_len, type_off, type_len, str_off, str_len = \
        BTF_HDR.unpack_from(data, pos)
    if magic != BTF_MAGIC or version != 1 or hdr_len < BTF_HDR.size:
        return None
    end = pos + hdr_len + max(type_off + type_len, str_off + str_len)
    if type_len == 0 or str_len == 0 or end > len(data):
        return None
    return data[pos:end]


def scan_btf(data):
    """The largest BTF blob in raw bytes (an arm64 Image holds .BTF as is)."""
    best, pos = None, 0
    needle = struct.pack("<HBB", BTF_MAGIC, 1, 0)
    while True:
        pos = data.find(needle, pos)
        if pos < 0:
            return best
        blob = btf_at(data, pos)
        if blob and (best is None or len(blob) > len(best)):
            best = blob
        pos += 1


def find_btf(data, depth=0):
    if depth > 2:
        return None
    if btf_at(data, 0):
        return btf_at(data, 0)
    section = elf_section(data, ".BTF")
    if section is not None:
        return section
    payload = bzimage_payload(data)
    if payload is not None:
        inner = decompress(payload)
        if inner is None:
            raise NoBTF("the boot image's payload is in a compression this script does not read")
        return find_btf(inner, depth + 1)
    inner = decompress(data)
    if inner is not None:
        return find_btf(inner, depth + 1)
    return scan_btf(data)


# Bytes after each type's 12-byte header, by BTF kind (include/uapi/linux/btf.h).
def type_extra(kind, vlen):
    fixed = {1: 4, 3: 12, 14: 4, 17: 4}  # INT, ARRAY, VAR, DECL_TAG
    per_member = {4: 12, 5: 12, 6: 8, 13: 8, 15: 12, 19: 12}  # STRUCT UNION ENUM FUNC_PROTO DATASEC ENUM64
    return fixed.get(kind, 0) + per_member.get(kind, 0) * vlen


def btf_func_names(blob):
    """The names of the FUNC types of a BTF blob."""
    _, _, _, hdr_len, type_off, type_len, str_off, str_len = BTF_HDR.unpack_from(blob, 0)
    types = blob[hdr_len + type_off:hdr_len + type_off + type_len]
    strings = blob[hdr_len + str_off:hdr_len + str_off + str_len]
    names, pos = set(), 0
    while pos + 12 <= len(types):
        name_off, info, _ = struct.unpack_from("<III", types, pos)
        kind, vlen = (info >> 24) & 0x1F, info & 0xFFFF
        if kind == 12:  # FUNC
            end = strings.index(b"\0", name_off)
            names.add(strings[name_off:end].decode(errors="replace"))
        pos += 12 + type_extra(kind, vlen)
    return names


def main(argv):
    required, args = [], []
    it = iter(argv)
    for a in it:
        if a == "--require":
            required.append(next(it, ""))
        elif a in ("-h", "--help"):
            print(__doc__.strip())
            return 0
        else:
            args.append(a)
    if len(args) != 2 or "" in required:
        print("usage: extract_btf.py [--require NAME]... IMAGE OUT", file=sys.stderr)
        return 2
    image, out = args
    try:
        with open(image, "rb") as f:
            data = f.read()
        blob = find_btf(data)
        if blob is None:
            raise NoBTF("no BTF in it (a kernel built without CONFIG_DEBUG_INFO_BTF?)")
        missing = [n for n in required if n not in btf_func_names(blob)]
        if missing:
            raise NoBTF("its BTF has no %s: a kernel older than 6.19?" % ", ".join(missing))
    except OSError as e:
        print("extract_btf: %s: %s" % (image, e.strerror), file=sys.stderr)
        return 1
    except NoBTF as e:
        print("extract_btf: %s: %s" % (image, e), file=sys.stderr)
        return 1
    tmp = "%s.part.%d" % (out, os.getpid())
    with open(tmp, "wb") as f:
        f.write(blob)
    os.replace(tmp, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
