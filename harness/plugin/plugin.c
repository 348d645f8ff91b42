/*
 * The plugin loader and the registry of implementations (see plugin.h).
 *
 * A plugin is opened with RTLD_NOW so that one whose symbols cannot all be
 * resolved (built against another libvtb, or needing a library that is not
 * there) is refused here, naming the file, and not in the middle of a run
 * when the runner first calls it; and with RTLD_LOCAL so that one plugin's
 * symbols never satisfy another's. The path goes through realpath first:
 * dlopen would search the library path for a name without a slash, and the
 * absolute path is what the run records. Every check of a plugin's list runs
 * before anything is added, so a refused plugin leaves no trace.
 */
#include "plugin.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "keys.h"
#include "types.h"
#include "vtb/alloc_count.h"
#include "vtb/loop.h"
#include "vtb/result.h"
#include "vtb/service.h"

struct vtb__plugin {
    void *handle; /* from dlopen */
    char *path;   /* absolute, from realpath */
};

struct vtb__plugin_impl {
    const struct vtb_impl_ops *ops;
    size_t plugin; /* index into the registry's plugins */
};

/* Names are printed with a bound: a bad table may point anywhere. */
#define NAME_SHOWN 80

size_t vtb_plugin_registry_count(const struct vtb_plugin_registry *reg)
{
    return vtb_impl_count() + reg->impl_count;
}

const struct vtb_impl_ops *vtb_plugin_registry_at(const struct vtb_plugin_registry *reg,
                                                  size_t index)
{
    size_t builtins = vtb_impl_count();
    if (index < builtins)
        return vtb_impl_at(index);
    return index - builtins < reg->impl_count ? reg->impls[index - builtins].ops : NULL;
}

const struct vtb_impl_ops *vtb_plugin_registry_find(const struct vtb_plugin_registry *reg,
                                                    const char *name)
{
    const struct vtb_impl_ops *ops = vtb_impl_find(name);
    for (size_t i = 0; ops == NULL && i < reg->impl_count; i++)
        if (strcmp(reg->impls[i].ops->name, name) == 0)
            ops = reg->impls[i].ops;
    return ops;
}

const char *vtb_plugin_registry_origin(const struct vtb_plugin_registry *reg,
                                       const struct vtb_impl_ops *ops)
{
    for (size_t i = 0; i < reg->impl_count; i++)
        if (reg->impls[i].ops == ops)
            return reg->plugins[reg->impls[i].plugin].path;
    return NULL;
}

const char *const *vtb_plugin_registry_names(const struct vtb_plugin_registry *reg)
{
    return reg->names;
}

static int rebuild_names(struct vtb_plugin_registry *reg)
{
    size_t n = vtb_plugin_registry_count(reg);
    const char **names = malloc((n + 1) * sizeof(*names));
    if (names == NULL)
        return VTB_ENOMEM;
    for (size_t i = 0; i < n; i++)
        names[i] = vtb_plugin_registry_at(reg, i)->name;
    names[n] = NULL;
    free(reg->names);
    reg->names = names;
    return 0;
}

int vtb_plugin_registry_init(struct vtb_plugin_registry *reg, struct vtb_error *err)
{
    memset(reg, 0, sizeof(*reg));
    if (rebuild_names(reg) != 0)
        return vtb_error_set(err, VTB_ENOMEM, "out of memory");
    vtb_error_clear(err);
    return 0;
}

void vtb_plugin_registry_fini(struct vtb_plugin_registry *reg)
{
    /* In reverse: a later plugin may use an earlier one's code. */
    for (size_t i = reg->plugin_count; i-- > 0;) {
        dlclose(reg->plugins[i].handle);
        free(reg->plugins[i].path);
    }
    free(reg->plugins);
    free(reg->impls);
    free((void *)reg->names);
    memset(reg, 0, sizeof(*reg));
}

/* The absolute path of a regular file, or an error naming path. A FIFO
 * would block dlopen and a directory gives a poor message, so only regular
 * files go on. */
static int resolve(const char *path, char **out, struct vtb_error *err)
{
    char *real = realpath(path, NULL);
    if (real == NULL) {
        int e = errno;
        int code = e == ENOMEM ? VTB_ENOMEM : e == ENOENT || e == ENOTDIR ? VTB_ENOTFOUND : VTB_EIO;
        return vtb_error_set(err, code, "%s: cannot open: %s", path, strerror(e));
    }
    struct stat st;
    if (stat(real, &st) != 0 || !S_ISREG(st.st_mode)) {
        free(real);
        return vtb_error_set(err, VTB_EINVAL, "%s: not a regular file", path);
    }
    *out = real;
    return 0;
}

static int open_object(const char *path, const char *real, void **handle, struct vtb_error *err)
{
    dlerror();
    *handle = dlopen(real, RTLD_NOW | RTLD_LOCAL);
    if (*handle != NULL)
        return 0;
    const char *why = dlerror();
    return vtb_error_set(err, VTB_EINVAL, "%s: cannot load: %s", path,
                         why != NULL ? why : "dlopen failed");
}

/* The plugin's list and its length, bounded by VTB_PLUGIN_IMPLS_MAX. */
static int entry_list(const char *path, void *handle, const struct vtb_impl_ops *const **list,
                      size_t *count, struct vtb_error *err)
{
    void *symbol = dlsym(handle, VTB_PLUGIN_IMPLS_SYMBOL);
    if (symbol == NULL)
        return vtb_error_set(err, VTB_EINVAL, "%s: not a vtbench plugin: no symbol %s", path,
                             VTB_PLUGIN_IMPLS_SYMBOL);
    /* POSIX guarantees that dlsym's object pointer converts to a function
     * pointer; ISO C does not, so copy the bits rather than cast. */
    vtb_plugin_impls_fn entry;
    _Static_assert(sizeof(entry) == sizeof(symbol), "function and object pointers differ");
    memcpy(&entry, &symbol, sizeof(entry));
    *list = entry();
    if (*list == NULL)
        return vtb_error_set(err, VTB_EINVAL, "%s: %s() returned NULL", path,
                             VTB_PLUGIN_IMPLS_SYMBOL);
    size_t n = 0;
    while (n <= VTB_PLUGIN_IMPLS_MAX && (*list)[n] != NULL)
        n++;
    if (n > VTB_PLUGIN_IMPLS_MAX)
        return vtb_error_set(err, VTB_EINVAL, "%s: %s() lists more than %d implementations (is "
                             "the list NULL-terminated?)", path, VTB_PLUGIN_IMPLS_SYMBOL,
                             VTB_PLUGIN_IMPLS_MAX);
    if (n == 0)
        return vtb_error_set(err, VTB_EINVAL, "%s: %s() lists no implementation", path,
                             VTB_PLUGIN_IMPLS_SYMBOL);
    *count = n;
    return 0;
}

/* A plugin linked with its own libvtb (`pkg-config --libs vtb`) would
 * measure a second library instance, with other thread-local counters and,
 * were it built differently, other layouts behind the opaque handles it is
 * given: it must take the library from this program. One symbol from each
 * part a plugin's calls reach is looked up in the plugin's own scope (which
 * does not hold this program): one found there that is not ours is a copy. */
static int check_no_own_library(const char *path, void *handle, struct vtb_error *err)
{
    typedef void (*any_fn)(void);
    static const struct {
        const char *name;
        any_fn ours;
    } ours[] = {
        {"vtb_service_new", (any_fn)vtb_service_new},
        {"vtb_worker_lookup", (any_fn)vtb_worker_lookup},
        {"vtb_service_start_task_miss", (any_fn)vtb_service_start_task_miss},
        {"vtb_alloc_counts_get", (any_fn)vtb_alloc_counts_get},
        {"vtb_vresult_get_slow", (any_fn)vtb_vresult_get_slow},
        {"vtb_loop_run", (any_fn)vtb_loop_run},
    };
    for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++) {
        void *symbol = dlsym(handle, ours[i].name);
        any_fn found;
        memcpy(&found, &symbol, sizeof(found));
        if (symbol != NULL && found != ours[i].ours)
            return vtb_error_set(err, VTB_EINVAL, "%s: carries its own copy of libvtb (%s): a "
                                 "plugin must not link libvtb, build it with `pkg-config "
                                 "--cflags vtb` only (docs/plugins.md)", path, ours[i].name);
    }
    return 0;
}

/* One table on its own: the version first (a table of another version may
 * have another layout beyond version and name), then what
 * vtb_impl_validate checks, with the reason, then the name's form. */
static int check_table(const char *path, const struct vtb_impl_ops *ops, size_t index,
                       struct vtb_error *err)
{
    if (ops->version != VTB_IMPL_OPS_VERSION) {
        if (ops->name == NULL)
            return vtb_error_set(err, VTB_EINVAL, "%s: implementation #%zu: ABI version %u, "
                                 "this vtbench needs %u", path, index + 1, ops->version,
                                 VTB_IMPL_OPS_VERSION);
        return vtb_error_set(err, VTB_EINVAL, "%s: implementation `%.*s`: ABI version %u, this "
                             "vtbench needs %u", path, NAME_SHOWN, ops->name, ops->version,
                             VTB_IMPL_OPS_VERSION);
    }
    if (ops->name == NULL || ops->name[0] == '\0')
        return vtb_error_set(err, VTB_EINVAL, "%s: implementation #%zu has no name", path,
                             index + 1);
    if (ops->get == NULL)
        return vtb_error_set(err, VTB_EINVAL, "%s: implementation `%.*s` has no get function",
                             path, NAME_SHOWN, ops->name);
    if (vtb_impl_validate(ops) != 0)
        return vtb_error_set(err, VTB_EINVAL, "%s: implementation `%.*s`: refused by "
                             "vtb_impl_validate", path, NAME_SHOWN, ops->name);
    /* A name scenario files cannot write could never be measured. */
    const struct vtb_key *impls = &vtb_scenario_keys[VTB_KEY_impls];
    if (!vtb_type_valid_name(ops->name, (size_t)impls->max)) {
        char range[128];
        return vtb_error_set(err, VTB_EINVAL, "%s: implementation `%.*s`: not a valid name (%s)",
                             path, NAME_SHOWN, ops->name,
                             impls->type->range(impls, range, sizeof(range)));
    }
    return 0;
}

/* Every table of the list, and each name against the built-ins, the
 * plugins already loaded and the list's own earlier names. */
static int check_list(const struct vtb_plugin_registry *reg, const char *path,
                      const struct vtb_impl_ops *const *list, size_t count, struct vtb_error *err)
{
    for (size_t i = 0; i < count; i++) {
        int rc = check_table(path, list[i], i, err);
        if (rc != 0)
            return rc;
        const char *name = list[i]->name;
        if (vtb_impl_find(name) != NULL)
            return vtb_error_set(err, VTB_EINVAL, "%s: implementation `%s` clashes with the "
                                 "built-in one", path, name);
        for (size_t j = 0; j < reg->impl_count; j++)
            if (strcmp(reg->impls[j].ops->name, name) == 0)
                return vtb_error_set(err, VTB_EINVAL, "%s: implementation `%s` clashes with "
                                     "the one from %s", path, name,
                                     reg->plugins[reg->impls[j].plugin].path);
        for (size_t j = 0; j < i; j++)
            if (strcmp(list[j]->name, name) == 0)
                return vtb_error_set(err, VTB_EINVAL, "%s: implementation `%s` is listed twice",
                                     path, name);
    }
    return 0;
}

/* Appends a checked plugin; on failure the registry is as it was. */
static int add(struct vtb_plugin_registry *reg, void *handle, char *real,
               const struct vtb_impl_ops *const *list, size_t count)
{
    struct vtb__plugin *plugins =
        realloc(reg->plugins, (reg->plugin_count + 1) * sizeof(*plugins));
    if (plugins == NULL)
        return VTB_ENOMEM;
    reg->plugins = plugins;
    struct vtb__plugin_impl *impls =
        realloc(reg->impls, (reg->impl_count + count) * sizeof(*impls));
    if (impls == NULL)
        return VTB_ENOMEM;
    reg->impls = impls;
    for (size_t i = 0; i < count; i++)
        impls[reg->impl_count + i] = (struct vtb__plugin_impl){list[i], reg->plugin_count};
    plugins[reg->plugin_count] = (struct vtb__plugin){handle, real};
    reg->plugin_count++;
    reg->impl_count += count;
    if (rebuild_names(reg) != 0) {
        reg->plugin_count--;
        reg->impl_count -= count;
        return VTB_ENOMEM;
    }
    return 0;
}

int vtb_plugin_registry_load(struct vtb_plugin_registry *reg, const char *path,
                             const char **real_path, struct vtb_error *err)
{
    char *real = NULL;
    void *handle = NULL;
    vtb_error_clear(err);
    int rc = resolve(path, &real, err);
    if (rc != 0)
        return rc;
    rc = open_object(path, real, &handle, err);
    if (rc != 0)
        goto out_free_real;
    /* dlopen counts references to one object, whatever name it was opened
     * by: the same handle again means this plugin is already here. */
    for (size_t i = 0; i < reg->plugin_count; i++)
        if (reg->plugins[i].handle == handle) {
            if (real_path != NULL)
                *real_path = reg->plugins[i].path;
            goto out_close;
        }
    const struct vtb_impl_ops *const *list = NULL;
    size_t count = 0;
    rc = check_no_own_library(path, handle, err);
    if (rc == 0)
        rc = entry_list(path, handle, &list, &count, err);
    if (rc == 0)
        rc = check_list(reg, path, list, count, err);
    if (rc == 0 && add(reg, handle, real, list, count) != 0)
        rc = vtb_error_set(err, VTB_ENOMEM, "%s: out of memory", path);
    if (rc == 0) {
        if (real_path != NULL)
            *real_path = real;
        return 0;
    }
out_close:
    dlclose(handle);
out_free_real:
    free(real);
    return rc;
}
