/*
 * The plugins of scenario files: loading what each file's `plugins` key
 * names, checking each file's `impls` once every plugin of the invocation is
 * loaded, and recording in a scenario the absolute paths of the plugins it
 * runs, so that the resolved scenario.ini of its run directory can be run
 * again from there.
 */
#ifndef VTB_HARNESS_PLUGIN_SCENARIO_H
#define VTB_HARNESS_PLUGIN_SCENARIO_H

#include <stddef.h>

#include "plugin.h"
#include "scenario.h"
#include "vtb/error.h"
#include "vtb/impl.h"

/*
 * Loads the plugins of one invocation into reg: paths first (the command
 * line's, messages "--plugin: PATH: what is wrong", see
 * vtb_plugin_registry_load), then those that each of the count scenarios
 * names (messages "FILE:LINE: plugins: PATH: what is wrong"); and then
 * checks every scenario's `impls` (parsed without a list of known
 * implementations) against reg, with the message of
 * vtb_scenario_check_impls. Checking only once everything is loaded makes
 * the outcome independent of the order of the files: a scenario may name an
 * implementation of any plugin of the invocation (vtb_plugin_pin_scenario
 * then records that plugin in it). Returns 0 or the first error's code.
 */
int vtb_plugin_load_run(struct vtb_plugin_registry *reg, const char *const *paths,
                        size_t path_count, const struct vtb_scenario *scenarios, size_t count,
                        struct vtb_error *err);

/*
 * Sets s's `plugins` to the absolute paths of its own plugins, then of the
 * plugins that provide an implementation named in its `impls` or listed in
 * impls (the ones the run measures, e.g. from --impl), each once: what its
 * scenario.ini needs to run the same implementations from any directory.
 * Leaves s alone when no plugin is involved. Returns 0, VTB_EINVAL (a path
 * holds a comma, which the key's list cannot express) or VTB_ENOMEM, with a
 * message in err (may be NULL).
 */
int vtb_plugin_pin_scenario(const struct vtb_plugin_registry *reg, struct vtb_scenario *s,
                            const struct vtb_impl_ops *const *impls, size_t count,
                            struct vtb_error *err);

#endif /* VTB_HARNESS_PLUGIN_SCENARIO_H */
