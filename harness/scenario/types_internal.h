/*
 * What the three files of value types (types.c, types_shapes.c,
 * types_text.c) share. Private to the scenario room.
 */
#ifndef VTB_TYPES_INTERNAL_H
#define VTB_TYPES_INTERNAL_H

#include <stddef.h>

#include "types.h"

/* A duration bound in ns as text in the largest unit that states it
 * exactly, hours included ("24h", "100ms"). */
const char *vtb__type_bound_duration(double ns, char *buf, size_t size);

#endif /* VTB_TYPES_INTERNAL_H */
