/* SPDX-License-Identifier: GPL-2.0-only */
/* Stand-in for <linux/blk_types.h> in the 7.x build: the swapdiff shim provides what it declares. */
#include "../../shim72/sd_kernel72.h"
