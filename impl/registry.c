/*
 * Lookup of the built-in implementations by name, over the one list in
 * vtb/impl_list.h.
 */
#include "vtb/impl.h"
#include "vtb/impl_list.h"

#include <string.h>

#define VTB__IMPL_ENTRY(symbol) &symbol,
static const struct vtb_impl_ops *const builtins[] = {VTB_IMPL_LIST(VTB__IMPL_ENTRY)};
#undef VTB__IMPL_ENTRY

size_t vtb_impl_count(void)
{
    return sizeof(builtins) / sizeof(builtins[0]);
}

const struct vtb_impl_ops *vtb_impl_at(size_t index)
{
    return index < vtb_impl_count() ? builtins[index] : NULL;
}

const struct vtb_impl_ops *vtb_impl_find(const char *name)
{
    for (size_t i = 0; i < vtb_impl_count(); i++)
        if (strcmp(builtins[i]->name, name) == 0)
            return builtins[i];
    return NULL;
}

int vtb_impl_validate(const struct vtb_impl_ops *ops)
{
    if (ops == NULL || ops->version != VTB_IMPL_OPS_VERSION || ops->name == NULL ||
        ops->name[0] == '\0' || ops->get == NULL)
        return VTB_EINVAL;
    return 0;
}
