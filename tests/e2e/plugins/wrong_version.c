/*
 * A plugin whose table was built against another version of struct
 * vtb_impl_ops (7, where this vtbench has VTB_IMPL_OPS_VERSION): refused,
 * since its layout beyond version and name cannot be trusted.
 */
#include "fixture.h"

static const struct vtb_impl_ops from_elsewhere =
    FIXTURE_TABLE(7, "wrong-version", "built against version 7 of the ops table");

FIXTURE_ENTRY(vtb_plugin_impls, &from_elsewhere)
