/*
 * A plugin that carries its own copy of a libvtb function, as one linked
 * with `pkg-config --libs vtb` does: refused, since its calls would reach a
 * second library instance with its own allocation counters. (plugin.sh
 * builds that real case; this stands for it in test_plugin.)
 */
#include <string.h>

#include <vtb/alloc_count.h>

#include "fixture.h"

void vtb_alloc_counts_get(struct vtb_alloc_counts *out)
{
    memset(out, 0, sizeof(*out));
}

static const struct vtb_impl_ops counted_elsewhere =
    FIXTURE_TABLE(VTB_IMPL_OPS_VERSION, "counted-elsewhere", "counts in its own copy");

FIXTURE_ENTRY(vtb_plugin_impls, &counted_elsewhere)
