/*
 * A shared object that is not a vtbench plugin: its entry point is
 * misspelt (vtb_plugin_impl), so there is no symbol vtb_plugin_impls.
 */
#include "fixture.h"

static const struct vtb_impl_ops misspelt =
    FIXTURE_TABLE(VTB_IMPL_OPS_VERSION, "misspelt", "exported under the wrong name");

FIXTURE_ENTRY(vtb_plugin_impl, &misspelt)
