/*
 * Lookup of the built-in reporters by name, over the one list in
 * reporter_list.h (the same pattern as impl/registry.c).
 */
#include "reporter_list.h"

#include <string.h>

#define VTB__REPORTER_ENTRY(symbol) &symbol,
static const struct vtb_reporter_ops *const builtins[] = {
    VTB_REPORTER_LIST(VTB__REPORTER_ENTRY)
};
#undef VTB__REPORTER_ENTRY

size_t vtb_reporter_count(void)
{
    return sizeof(builtins) / sizeof(builtins[0]);
}

const struct vtb_reporter_ops *vtb_reporter_at(size_t index)
{
    return index < vtb_reporter_count() ? builtins[index] : NULL;
}

const struct vtb_reporter_ops *vtb_reporter_find(const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < vtb_reporter_count(); i++)
        if (strcmp(builtins[i]->name, name) == 0)
            return builtins[i];
    return NULL;
}
