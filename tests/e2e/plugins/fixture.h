/*
 * What the small plugins of this folder share. Each is one way a plugin
 * can be wrong (plus good.c, a right one), built by plugin.sh as a user
 * would build it and by tests/CMakeLists.txt for test_plugin. Their tables
 * are refused or only looked up, never run, so their get does nothing, and
 * they call nothing of libvtb: they load into any program, also the unit
 * test, which does not export the library as vtbench does.
 */
#ifndef VTB_FIXTURE_PLUGIN_H
#define VTB_FIXTURE_PLUGIN_H

#include <vtb/impl.h>

/* The get of a table that is never run. */
static inline struct vtb_vresult fixture_never_get(void *state, struct vtb_worker *worker,
                                                   uint64_t key)
{
    (void)state;
    (void)worker;
    (void)key;
    return vtb_vresult_from_error(VTB_EUNSUPPORTED);
}

/* A table named name, of the given version, with summary. */
#define FIXTURE_TABLE(version, name, summary)                                               \
    {version, name, summary, 0, NULL, NULL, fixture_never_get}

/* Defines entry point symbol (vtb_plugin_impls, unless a fixture misspells
 * it) over a NULL-terminated list of the given tables; declared first for
 * -Wmissing-prototypes. */
#define FIXTURE_ENTRY(symbol, ...)                                                          \
    const struct vtb_impl_ops *const *symbol(void);                                         \
    const struct vtb_impl_ops *const *symbol(void)                                          \
    {                                                                                       \
        static const struct vtb_impl_ops *const impls[] = {__VA_ARGS__, NULL};              \
        return impls;                                                                       \
    }

#endif /* VTB_FIXTURE_PLUGIN_H */
