/*
 * The implementations of `vtbench run`: every plugin of the invocation
 * (--plugin's, then each scenario file's) loaded into one registry, the
 * names of --impl resolved against it, and each scenario's implementations
 * as ops pointers, with the plugins they come from recorded in the scenario
 * for its scenario.ini. Kept apart from cmd_run.c, which owns the options,
 * the plan and the run itself. Functions print their errors and return exit
 * codes (commands.h); a refused plugin or an unknown name is bad input.
 */
#ifndef VTB_CLI_RUN_IMPLS_H
#define VTB_CLI_RUN_IMPLS_H

#include <stddef.h>

#include "plugin.h"
#include "scenario.h"
#include "vtb/impl.h"

/* Most implementations --impl may name. */
#define VTB_RUN_IMPLS_MAX 64

struct vtb_run_impls {
    struct vtb_plugin_registry registry;
    const struct vtb_impl_ops *cli[VTB_RUN_IMPLS_MAX]; /* --impl's, resolved */
    size_t cli_count;
};

/*
 * Loads the plugins (paths from --plugin, then every scenario's), checks
 * every scenario's impls and resolves names (--impl, at most
 * VTB_RUN_IMPLS_MAX) against built-ins and plugins. Returns an exit code;
 * vtb_cli_run_impls_fini is due in every case, and only after the last use
 * of an implementation (it unloads the plugins).
 */
int vtb_cli_run_impls_init(struct vtb_run_impls *ri, const char *const *plugins,
                           size_t plugin_count, const char *const *names, size_t name_count,
                           struct vtb_scenario *scenarios, size_t scenario_count);

/*
 * The implementations a run of s measures, in order, into out (room for
 * max): --impl's, or else the scenario's. Records in s the plugins they come
 * from (vtb_plugin_pin_scenario) and, when --impl chose them, their names as
 * its impls, so that its scenario.ini runs them again. Returns an exit code.
 */
int vtb_cli_run_impls_of(struct vtb_run_impls *ri, struct vtb_scenario *s,
                         const struct vtb_impl_ops **out, size_t max, size_t *count);

/* Unloads the plugins. */
void vtb_cli_run_impls_fini(struct vtb_run_impls *ri);

#endif /* VTB_CLI_RUN_IMPLS_H */
