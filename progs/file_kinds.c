// SPDX-License-Identifier: GPL-2.0
/* Reads of files of every kind: the batch programs of file_reads.h. */
#include "file_reads.h"
