/*
 * Implementations from shared objects ("plugins"), beside the built-in ones.
 *
 * A plugin is a shared object that exports VTB_PLUGIN_IMPLS_SYMBOL
 * (vtb/impl.h): a function returning a NULL-terminated list of ops tables.
 * A registry holds the built-in implementations and those of every plugin
 * loaded into it, so that a name in `impls` or `--impl` means the same
 * whichever side it comes from. The registry refuses, with a message that
 * names the file, anything it could not run safely or name unambiguously:
 * a file that cannot be loaded, one that carries its own copy of libvtb, no
 * entry point, a table of another ABI version or one that vtb_impl_validate
 * rejects, a name that is not a valid scenario name, or a name already taken
 * by a built-in or an earlier plugin.
 * A refused plugin is unloaded again and leaves the registry as it was.
 *
 * A plugin does not link libvtb: it takes the library's symbols from the
 * vtbench program, which exports them, so that its calls reach the same
 * library instance the runner measures (the same thread-local allocation
 * counters, the same jemalloc). See docs/plugins.md.
 *
 * The registry owns the loaded objects: the ops pointers, names and paths it
 * hands out stay valid until vtb_plugin_registry_fini, which unloads them,
 * so it must come after the last use of any of them (records and reporters
 * keep implementation names).
 */
#ifndef VTB_HARNESS_PLUGIN_H
#define VTB_HARNESS_PLUGIN_H

#include <stddef.h>

#include "vtb/error.h"
#include "vtb/impl.h"

/* Most implementations one plugin may list, so that a list whose NULL
 * terminator is missing is refused instead of read past its end. */
#define VTB_PLUGIN_IMPLS_MAX 64

struct vtb__plugin;
struct vtb__plugin_impl;

/* Caller-owned: vtb_plugin_registry_init, then _fini. */
struct vtb_plugin_registry {
    struct vtb__plugin *plugins; /* loaded objects, in load order */
    size_t plugin_count;
    struct vtb__plugin_impl *impls; /* their implementations, in load order */
    size_t impl_count;
    const char **names; /* built-ins then plugins', NULL-terminated */
};

/* Makes reg a registry of the built-in implementations only. Returns 0 or
 * VTB_ENOMEM, with a message in err (may be NULL); reg then needs no fini,
 * though fini is harmless. */
int vtb_plugin_registry_init(struct vtb_plugin_registry *reg, struct vtb_error *err);

/*
 * Loads the plugin at path (a file name: "x.so" means ./x.so, no library
 * search path is used) and adds its implementations. Loading the same file
 * again, under any name, adds nothing and succeeds. On success *real_path,
 * when not NULL, is set to the plugin's absolute path (owned by the
 * registry). Returns 0, or with a message in err (may be NULL) that starts
 * with path: VTB_ENOTFOUND or VTB_EIO (the file cannot be opened),
 * VTB_EINVAL (not a loadable shared object, or not a valid plugin),
 * VTB_ENOMEM. On error the registry is unchanged.
 */
int vtb_plugin_registry_load(struct vtb_plugin_registry *reg, const char *path,
                             const char **real_path, struct vtb_error *err);

/* The implementation called name, built-in or from a plugin, or NULL. */
const struct vtb_impl_ops *vtb_plugin_registry_find(const struct vtb_plugin_registry *reg,
                                                    const char *name);

/* Number of implementations: the built-ins, then the plugins' in load
 * order. */
size_t vtb_plugin_registry_count(const struct vtb_plugin_registry *reg);

/* The index-th implementation, or NULL when index >= the count. */
const struct vtb_impl_ops *vtb_plugin_registry_at(const struct vtb_plugin_registry *reg,
                                                  size_t index);

/* The absolute path of the plugin that provides ops, or NULL for a
 * built-in (or an ops table the registry does not hold). */
const char *vtb_plugin_registry_origin(const struct vtb_plugin_registry *reg,
                                       const struct vtb_impl_ops *ops);

/* Every implementation name, NULL-terminated (for vtb_scenario_check_impls).
 * Valid until the next load or fini. */
const char *const *vtb_plugin_registry_names(const struct vtb_plugin_registry *reg);

/* Unloads every plugin and frees the registry; reg is empty afterwards.
 * Every pointer the registry handed out becomes invalid. */
void vtb_plugin_registry_fini(struct vtb_plugin_registry *reg);

#endif /* VTB_HARNESS_PLUGIN_H */
