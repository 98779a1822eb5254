// SPDX-License-Identifier: GPL-2.0
/* Reads of a resident multi-page file, compared byte for byte with pread(). */
#include "file_reads.h"
