// SPDX-License-Identifier: GPL-2.0
/* Reads of evicted pages: -EFAULT when non-sleepable, disk reads when sleepable. */
#include "file_reads.h"
