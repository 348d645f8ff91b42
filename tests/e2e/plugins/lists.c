/*
 * Plugins whose list or names are wrong, one for each value of FIXTURE_LIST
 * (set where it is built, tests/CMakeLists.txt): an empty list, a NULL
 * list, a list without its NULL at the end, a table listed twice, a name
 * that scenario files cannot write, and a table without a name.
 */
#include "fixture.h"

#define FIXTURE_LIST_EMPTY 1
#define FIXTURE_LIST_NULL 2
#define FIXTURE_LIST_UNTERMINATED 3
#define FIXTURE_LIST_TWICE 4
#define FIXTURE_LIST_BAD_NAME 5
#define FIXTURE_LIST_UNNAMED 6

static const struct vtb_impl_ops listed =
    FIXTURE_TABLE(VTB_IMPL_OPS_VERSION, "listed", "a valid table");
static const struct vtb_impl_ops badly_named =
    FIXTURE_TABLE(VTB_IMPL_OPS_VERSION, "bad name", "a name with a blank");
static const struct vtb_impl_ops unnamed = FIXTURE_TABLE(VTB_IMPL_OPS_VERSION, NULL, "no name");

const struct vtb_impl_ops *const *vtb_plugin_impls(void);

const struct vtb_impl_ops *const *vtb_plugin_impls(void)
{
    static const struct vtb_impl_ops *const empty[] = {NULL};
    static const struct vtb_impl_ops *const twice[] = {&listed, &listed, NULL};
    static const struct vtb_impl_ops *const bad_name[] = {&badly_named, NULL};
    static const struct vtb_impl_ops *const no_name[] = {&unnamed, NULL};
    /* One more entry than the loader reads (64), and no NULL. */
    static const struct vtb_impl_ops *endless[65];
    switch (FIXTURE_LIST) {
    case FIXTURE_LIST_EMPTY: return empty;
    case FIXTURE_LIST_NULL: return NULL;
    case FIXTURE_LIST_UNTERMINATED:
        for (size_t i = 0; i < sizeof(endless) / sizeof(endless[0]); i++)
            endless[i] = &listed;
        return endless;
    case FIXTURE_LIST_TWICE: return twice;
    case FIXTURE_LIST_BAD_NAME: return bad_name;
    default: return no_name;
    }
}
