/*
 * A plugin whose implementation takes the name of a built-in one,
 * value-task: refused, since `impls = value-task` must mean one thing.
 */
#include "fixture.h"

static const struct vtb_impl_ops impostor =
    FIXTURE_TABLE(VTB_IMPL_OPS_VERSION, "value-task", "not the built-in value-task");

FIXTURE_ENTRY(vtb_plugin_impls, &impostor)
