/*
 * A valid plugin with two implementations, for test_plugin: they are found
 * by name beside the built-ins, and a second copy of this file under
 * another name clashes with the first.
 */
#include "fixture.h"

static const struct vtb_impl_ops first =
    FIXTURE_TABLE(VTB_IMPL_OPS_VERSION, "fixture-first", "the first of two");
static const struct vtb_impl_ops second =
    FIXTURE_TABLE(VTB_IMPL_OPS_VERSION, "fixture-second", "the second of two");

FIXTURE_ENTRY(vtb_plugin_impls, &first, &second)
