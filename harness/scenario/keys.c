/*
 * The key table (see keys.h), instantiated from VTB_SCENARIO_KEYS, and the
 * accessors that read a cell through it.
 */
#include "keys.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "types.h"

#define VTB__KEY_ENTRY(is_axis, owner, kname, ctype, ktype, kdefault, kmin, kmax, kflags,      \
                       kcolumn, kdoc, khelp)                                                   \
    {                                                                                          \
        .name = #kname,                                                                        \
        .type = &ktype,                                                                        \
        .axis = is_axis,                                                                       \
        .offset = offsetof(struct owner, kname),                                               \
        .size = sizeof(((struct owner *)0)->kname),                                            \
        .default_text = kdefault,                                                              \
        .min = kmin,                                                                           \
        .max = kmax,                                                                           \
        .flags = kflags,                                                                       \
        .column = kcolumn,                                                                     \
        .doc_default = kdoc,                                                                   \
        .help = khelp,                                                                         \
    },
#define VTB__AXIS_ENTRY(...) VTB__KEY_ENTRY(true, vtb_cell, __VA_ARGS__)
#define VTB__SETTING_ENTRY(...) VTB__KEY_ENTRY(false, vtb_settings, __VA_ARGS__)

const struct vtb_key vtb_scenario_keys[VTB_KEY_COUNT] = {
    VTB_SCENARIO_KEYS(VTB__AXIS_ENTRY, VTB__SETTING_ENTRY)
};

#undef VTB__AXIS_ENTRY
#undef VTB__SETTING_ENTRY
#undef VTB__KEY_ENTRY

/* The key of each axis, in axis order. */
#define VTB__AXIS_KEY(name, ...) VTB_KEY_##name,
#define VTB__NONE(...)
static const enum vtb_key_id axis_keys[VTB_AXIS_COUNT] = {
    VTB_SCENARIO_KEYS(VTB__AXIS_KEY, VTB__NONE)
};
#undef VTB__AXIS_KEY
#undef VTB__NONE

const struct vtb_key *vtb_key_find(const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < VTB_KEY_COUNT; i++)
        if (strcmp(vtb_scenario_keys[i].name, name) == 0)
            return &vtb_scenario_keys[i];
    return NULL;
}

int vtb_key_axis(const struct vtb_key *k)
{
    for (int a = 0; a < VTB_AXIS_COUNT; a++)
        if (&vtb_scenario_keys[axis_keys[a]] == k)
            return a;
    return -1;
}

const struct vtb_key *vtb_axis_key(enum vtb_axis axis)
{
    return (unsigned)axis < VTB_AXIS_COUNT ? &vtb_scenario_keys[axis_keys[axis]] : NULL;
}

const char *vtb_cell_format(const struct vtb_cell *cell, enum vtb_axis axis, char *buf,
                            size_t size)
{
    const struct vtb_key *k = vtb_axis_key(axis);
    if (k == NULL) {
        snprintf(buf, size, "?");
        return buf;
    }
    return k->type->format(k, vtb_key_in_cell_const(k, cell), buf, size);
}

bool vtb_cell_absent(const struct vtb_cell *cell, enum vtb_axis axis)
{
    const struct vtb_key *k = vtb_axis_key(axis);
    return k != NULL && k->type->absent != NULL && k->type->absent(vtb_key_in_cell_const(k, cell));
}

double vtb_cell_number(const struct vtb_cell *cell, enum vtb_axis axis)
{
    const struct vtb_key *k = vtb_axis_key(axis);
    if (k == NULL || k->type->number == NULL)
        return NAN;
    return k->type->number(vtb_key_in_cell_const(k, cell));
}
