// SPDX-License-Identifier: GPL-2.0
/* Many create/read/discard cycles: the batch programs of file_reads.h. */
#include "file_reads.h"
