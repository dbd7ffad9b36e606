/* SPDX-License-Identifier: GPL-2.0-only */
/* Stand-in for <linux/xarray.h>: the swapdiff shim provides what it declares. */
#include "../../shim/sd_kernel.h"
