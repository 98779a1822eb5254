// SPDX-License-Identifier: GPL-2.0
/* Reads racing a writer: the batch programs of file_reads.h. */
#include "file_reads.h"
