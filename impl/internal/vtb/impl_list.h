/*
 * The single list of built-in implementations: adding one is one line here
 * plus its file under impl/strategies/. Order is the listing and report order.
 * Private: users find the built-ins by name (vtb_impl_find, vtb_impl_at), so
 * the symbols of their tables are not part of the public API.
 */
#ifndef VTB_IMPL_LIST_H
#define VTB_IMPL_LIST_H

#include "vtb/impl.h"

#define VTB_IMPL_LIST(XX)          \
    XX(vtb_impl_alloc_task)        \
    XX(vtb_impl_value_task)        \
    XX(vtb_impl_pooled)

#define VTB__IMPL_DECLARE(symbol) extern const struct vtb_impl_ops symbol;
VTB_IMPL_LIST(VTB__IMPL_DECLARE)
#undef VTB__IMPL_DECLARE

#endif /* VTB_IMPL_LIST_H */
