/* SPDX-License-Identifier: GPL-2.0-only */
/* Stand-in for <linux/memcontrol.h> in the 7.x build (7.3's mm/swap.h includes it): the swapdiff shim provides what it declares. */
#include "../../shim72/sd_kernel72.h"
