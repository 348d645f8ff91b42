/*
 * The single list of built-in implementations: adding one is one line here
 * plus its file under impl/strategies/. Order is the listing and report order.
 */
#ifndef VTB_IMPL_LIST_H
#define VTB_IMPL_LIST_H

#define VTB_IMPL_LIST(XX)          \
    XX(vtb_impl_alloc_task)        \
    XX(vtb_impl_value_task)        \
    XX(vtb_impl_pooled)

#endif /* VTB_IMPL_LIST_H */
