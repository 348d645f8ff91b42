/*
 * A plugin whose table fails validation (vtb_impl_validate): it has no get,
 * the function the runner would call on every operation.
 */
#include "fixture.h"

static const struct vtb_impl_ops no_get = {
    .version = VTB_IMPL_OPS_VERSION,
    .name = "no-get",
    .summary = "a table without its get",
};

FIXTURE_ENTRY(vtb_plugin_impls, &no_get)
