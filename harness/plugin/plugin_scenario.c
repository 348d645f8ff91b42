/*
 * Scenario files and their plugins (see plugin_scenario.h). The scenario
 * parser resolves `plugins` against the file's directory but knows nothing
 * of loading; the loader knows nothing of files and lines. This is where the
 * two meet: messages get the file and line of the key, and the paths a run
 * used go back into the scenario through the same override path as --set,
 * so that the resolved scenario.ini states them.
 */
#include "plugin_scenario.h"

#include <stdlib.h>
#include <string.h>

static int load_one(struct vtb_plugin_registry *reg, const struct vtb_scenario *s,
                    struct vtb_error *err)
{
    const struct vtb_name_list *plugins = &s->settings.plugins;
    unsigned line = s->key_line[VTB_KEY_plugins];
    for (size_t i = 0; i < plugins->count; i++) {
        struct vtb_error inner;
        int rc = vtb_plugin_registry_load(reg, plugins->names[i], NULL, &inner);
        if (rc == 0)
            continue;
        if (line != 0)
            return vtb_error_set(err, rc, "%s:%u: plugins: %s", s->source, line, inner.message);
        return vtb_error_set(err, rc, "%s: plugins: %s", s->source[0] != '\0' ? s->source : "--set",
                             inner.message);
    }
    return 0;
}

int vtb_plugin_load_run(struct vtb_plugin_registry *reg, const char *const *paths,
                        size_t path_count, const struct vtb_scenario *scenarios, size_t count,
                        struct vtb_error *err)
{
    int rc = 0;
    for (size_t i = 0; i < path_count && rc == 0; i++) {
        struct vtb_error inner;
        rc = vtb_plugin_registry_load(reg, paths[i], NULL, &inner);
        if (rc != 0)
            vtb_error_set(err, rc, "--plugin: %s", inner.message);
    }
    for (size_t i = 0; i < count && rc == 0; i++)
        rc = load_one(reg, &scenarios[i], err);
    for (size_t i = 0; i < count && rc == 0; i++)
        rc = vtb_scenario_check_impls(&scenarios[i], vtb_plugin_registry_names(reg), err);
    return rc;
}

/* Appends path to paths[*n] unless it is there already. */
static void add_path(const char **paths, size_t *n, const char *path)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(paths[i], path) == 0)
            return;
    paths[(*n)++] = path;
}

/* "plugins = A, B, ..." for vtb_scenario_override, or NULL (no memory). */
static char *assignment_of(const char *const *paths, size_t n)
{
    size_t size = sizeof("plugins = ");
    for (size_t i = 0; i < n; i++)
        size += strlen(paths[i]) + 2;
    char *text = malloc(size);
    if (text == NULL)
        return NULL;
    size_t used = (size_t)snprintf(text, size, "plugins = ");
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(text + used, size - used, "%s%s", i == 0 ? "" : ", ", paths[i]);
    return text;
}

int vtb_plugin_pin_scenario(const struct vtb_plugin_registry *reg, struct vtb_scenario *s,
                            const struct vtb_impl_ops *const *impls, size_t count,
                            struct vtb_error *err)
{
    const struct vtb_name_list *own = &s->settings.plugins, *named = &s->settings.impls;
    /* The override below replaces own's list: keep its length for the
     * cleanup. */
    size_t own_count = own->count, n = 0, max = own->count + named->count + count;
    int rc = 0;
    const char **paths = calloc(max > 0 ? max : 1, sizeof(*paths));
    char **real = calloc(own_count > 0 ? own_count : 1, sizeof(*real));
    if (paths == NULL || real == NULL) {
        rc = vtb_error_set(err, VTB_ENOMEM, "%s: out of memory", s->source);
        goto out;
    }
    /* Every own plugin was loaded, so realpath finds it (it only fails
     * when the file went away since, and then the path stays as it was). */
    for (size_t i = 0; i < own_count; i++) {
        real[i] = realpath(own->names[i], NULL);
        add_path(paths, &n, real[i] != NULL ? real[i] : own->names[i]);
    }
    for (size_t i = 0; i < named->count + count; i++) {
        const struct vtb_impl_ops *ops = i < named->count
                                             ? vtb_plugin_registry_find(reg, named->names[i])
                                             : impls[i - named->count];
        const char *origin = ops != NULL ? vtb_plugin_registry_origin(reg, ops) : NULL;
        if (origin != NULL)
            add_path(paths, &n, origin);
    }
    for (size_t i = 0; i < n && rc == 0; i++)
        if (strchr(paths[i], ',') != NULL)
            rc = vtb_error_set(err, VTB_EINVAL, "%s: a plugin path with a comma cannot be "
                               "recorded in scenario.ini (commas separate the paths of plugins)",
                               paths[i]);
    if (rc == 0 && n > 0) {
        char *text = assignment_of(paths, n);
        rc = text != NULL ? vtb_scenario_override(s, text, err)
                          : vtb_error_set(err, VTB_ENOMEM, "%s: out of memory", s->source);
        free(text);
    }
out:
    for (size_t i = 0; real != NULL && i < own_count; i++)
        free(real[i]);
    free(real);
    free((void *)paths);
    return rc;
}
