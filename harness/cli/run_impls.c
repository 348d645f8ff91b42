/*
 * The implementations of `vtbench run` (see run_impls.h). Scenario files
 * are parsed without a list of implementations, since their own plugins
 * may add names; so everything is loaded first and every name checked
 * after, whatever the order of the files and options.
 */
#include "run_impls.h"

#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "messages.h"
#include "plugin_scenario.h"

/* The exit code of a step of the plugin room: a refused plugin is bad input. */
static int plugin_exit(int rc, const struct vtb_error *err)
{
    if (rc != 0)
        vtb_cli_error("%s", err->message);
    return rc == 0 ? VTB_EXIT_OK : rc == VTB_ENOMEM ? VTB_EXIT_RUN_FAILED : VTB_EXIT_USAGE;
}

/* --impl's names, each known and given once. */
static int resolve_names(struct vtb_run_impls *ri, const char *const *names, size_t count)
{
    if (count > VTB_RUN_IMPLS_MAX) {
        vtb_cli_error("--impl: at most %d", VTB_RUN_IMPLS_MAX);
        return VTB_EXIT_USAGE;
    }
    for (size_t i = 0; i < count; i++) {
        const struct vtb_impl_ops *ops = vtb_plugin_registry_find(&ri->registry, names[i]);
        if (ops == NULL) {
            vtb_cli_error("--impl: unknown implementation '%s' (see vtbench list)", names[i]);
            return VTB_EXIT_USAGE;
        }
        /* Twice the same implementation would write the same file names. */
        for (size_t j = 0; j < i; j++)
            if (ri->cli[j] == ops) {
                vtb_cli_error("--impl: '%s' given twice", names[i]);
                return VTB_EXIT_USAGE;
            }
        ri->cli[ri->cli_count++] = ops;
    }
    return VTB_EXIT_OK;
}

int vtb_cli_run_impls_init(struct vtb_run_impls *ri, const char *const *plugins,
                           size_t plugin_count, const char *const *names, size_t name_count,
                           struct vtb_scenario *scenarios, size_t scenario_count)
{
    struct vtb_error err;
    memset(ri, 0, sizeof(*ri));
    int code = plugin_exit(vtb_plugin_registry_init(&ri->registry, &err), &err);
    if (code == VTB_EXIT_OK)
        code = plugin_exit(vtb_plugin_load_run(&ri->registry, plugins, plugin_count, scenarios,
                                               scenario_count, &err), &err);
    return code == VTB_EXIT_OK ? resolve_names(ri, names, name_count) : code;
}

/* --impl chose the implementations: the scenario's impls become those, so
 * that its scenario.ini runs what this run measured. */
static int pin_impls(struct vtb_scenario *s, const struct vtb_impl_ops *const *impls, size_t n)
{
    char text[VTB_RUN_IMPLS_MAX * 72] = "impls = ";
    size_t used = strlen(text);
    for (size_t i = 0; i < n && used < sizeof(text); i++)
        used += (size_t)snprintf(text + used, sizeof(text) - used, "%s%s", i == 0 ? "" : ", ",
                                 impls[i]->name);
    struct vtb_error err;
    vtb_error_clear(&err);
    int rc = vtb_scenario_override(s, text, &err);
    if (rc != 0)
        vtb_cli_error("%s: %s", s->source, err.message);
    return rc == 0 ? VTB_EXIT_OK : rc == VTB_ENOMEM ? VTB_EXIT_RUN_FAILED : VTB_EXIT_USAGE;
}

int vtb_cli_run_impls_of(struct vtb_run_impls *ri, struct vtb_scenario *s,
                         const struct vtb_impl_ops **out, size_t max, size_t *count)
{
    size_t n = 0;
    if (ri->cli_count > 0) {
        for (; n < ri->cli_count && n < max; n++)
            out[n] = ri->cli[n];
    } else {
        for (size_t i = 0; i < s->settings.impls.count && n < max; i++) {
            const struct vtb_impl_ops *ops =
                vtb_plugin_registry_find(&ri->registry, s->settings.impls.names[i]);
            if (ops != NULL)
                out[n++] = ops;
        }
    }
    *count = n;
    /* Its scenario.ini names the plugins it runs, to be run again. */
    struct vtb_error err;
    int code = plugin_exit(vtb_plugin_pin_scenario(&ri->registry, s, out, n, &err), &err);
    return code == VTB_EXIT_OK && ri->cli_count > 0 ? pin_impls(s, out, n) : code;
}

void vtb_cli_run_impls_fini(struct vtb_run_impls *ri)
{
    vtb_plugin_registry_fini(&ri->registry);
}
