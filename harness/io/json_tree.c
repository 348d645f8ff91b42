/*
 * The tree of a parsed JSON document (see json_reader.h): the memory its
 * values live in, and the accessors: lookups by key, by dotted path and by
 * position, and the typed getters.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_internal.h"

/* ---- The document's memory ---- */

/* Most documents fit in one block; larger requests get a block of their own. */
#define BLOCK_BYTES 65536u

struct vtb__json_block {
    struct vtb__json_block *next;
    size_t used, size;
    max_align_t data[];
};

/* size bytes in doc's memory at a multiple of align (a power of two, at
 * most that of max_align_t, which every block starts at); NULL when out
 * of memory. Text is placed at align 1, so it wastes nothing. */
void *vtb__json_doc_alloc(struct vtb_json_doc *doc, size_t size, size_t align)
{
    struct vtb__json_block *b = doc->blocks;
    size_t at = b != NULL ? (b->used + align - 1) & ~(align - 1) : 0;
    void *p;

    if (size > SIZE_MAX - sizeof(*b) - BLOCK_BYTES)
        return NULL;
    if (b == NULL || at > b->size || b->size - at < size) {
        size_t bytes = size > BLOCK_BYTES ? size : BLOCK_BYTES;

        b = malloc(sizeof(*b) + bytes);
        if (b == NULL)
            return NULL;
        b->size = bytes;
        b->used = 0;
        b->next = doc->blocks;
        doc->blocks = b;
        at = 0;
    }
    p = (char *)b->data + at;
    b->used = at + size;
    return p;
}

void vtb_json_doc_fini(struct vtb_json_doc *doc)
{
    if (doc == NULL)
        return;
    while (doc->blocks != NULL) {
        struct vtb__json_block *next = doc->blocks->next;
        free(doc->blocks);
        doc->blocks = next;
    }
    doc->root = NULL;
}


enum vtb_json_type vtb_json_type(const struct vtb_json_value *v)
{
    return v->type;
}

const char *vtb_json_type_name(enum vtb_json_type type)
{
    static const char *const names[] = {
        [VTB_JSON_NULL] = "null",         [VTB_JSON_BOOL] = "true or false",
        [VTB_JSON_NUMBER] = "a number",   [VTB_JSON_STRING] = "a string",
        [VTB_JSON_ARRAY] = "an array",    [VTB_JSON_OBJECT] = "an object",
    };

    return (unsigned)type < sizeof(names) / sizeof(names[0]) ? names[type] : "an unknown type";
}

/* The member of object named by the n bytes at name. */
static const struct vtb_json_value *member_n(const struct vtb_json_value *object,
                                             const char *name, size_t n)
{
    if (object == NULL || object->type != VTB_JSON_OBJECT)
        return NULL;
    for (size_t k = 0; k < object->count; k++)
        if (object->keys[k].length == n && memcmp(object->keys[k].text, name, n) == 0)
            return &object->items[k];
    return NULL;
}

/* The element of array at the decimal index in the n bytes at step. */
static const struct vtb_json_value *element_n(const struct vtb_json_value *array,
                                              const char *step, size_t n)
{
    size_t index = 0;

    if (array->type != VTB_JSON_ARRAY)
        return NULL;
    for (size_t k = 0; k < n; k++) {
        if (step[k] < '0' || step[k] > '9' || index > (SIZE_MAX - 9) / 10)
            return NULL;
        index = index * 10 + (size_t)(step[k] - '0');
    }
    return index < array->count ? &array->items[index] : NULL;
}

const struct vtb_json_value *vtb_json_member(const struct vtb_json_value *object,
                                             const char *key)
{
    return key != NULL ? member_n(object, key, strlen(key)) : NULL;
}

const struct vtb_json_value *vtb_json_find(const struct vtb_json_value *v, const char *path)
{
    const char *step = path;

    if (v == NULL || path == NULL || path[0] == '\0')
        return v;
    for (;;) {
        const char *dot = strchr(step, '.');
        size_t n = dot != NULL ? (size_t)(dot - step) : strlen(step);

        if (n == 0)
            return NULL;
        v = v->type == VTB_JSON_OBJECT ? member_n(v, step, n) : element_n(v, step, n);
        if (v == NULL || dot == NULL)
            return v;
        step = dot + 1;
    }
}

size_t vtb_json_count(const struct vtb_json_value *v)
{
    return v != NULL && (v->type == VTB_JSON_ARRAY || v->type == VTB_JSON_OBJECT) ? v->count
                                                                                  : 0;
}

const struct vtb_json_value *vtb_json_at(const struct vtb_json_value *v, size_t index)
{
    return index < vtb_json_count(v) ? &v->items[index] : NULL;
}

const char *vtb_json_key_at(const struct vtb_json_value *object, size_t index)
{
    if (object == NULL || object->type != VTB_JSON_OBJECT || index >= object->count)
        return NULL;
    return object->keys[index].text;
}

/* Strings, numbers and booleans have a text; null and containers do not. */
static bool has_text(const struct vtb_json_value *v)
{
    return v != NULL && (v->type == VTB_JSON_STRING || v->type == VTB_JSON_NUMBER ||
                         v->type == VTB_JSON_BOOL);
}

const char *vtb_json_text(const struct vtb_json_value *v)
{
    return has_text(v) ? v->text : NULL;
}

size_t vtb_json_text_length(const struct vtb_json_value *v)
{
    return has_text(v) ? v->count : 0;
}

/* The value at path under v if it has type want (or is null, when
 * null_ok), else the getters' error. */
static int get(const struct vtb_json_value *v, const char *path, enum vtb_json_type want,
               bool null_ok, const struct vtb_json_value **out, struct vtb_error *err)
{
    const struct vtb_json_value *found = vtb_json_find(v, path);
    const char *p = path != NULL ? path : "";
    const char *sep = p[0] != '\0' ? ": " : "";

    if (v == NULL)
        return vtb_error_set(err, VTB_ENOTFOUND, "%s%smissing (no document)", p, sep);
    if (found == NULL)
        return vtb_error_set(err, VTB_ENOTFOUND, "%s:%u:%u: %s%smissing", v->source, v->line,
                             v->column, p, sep);
    if (found->type != want && !(null_ok && found->type == VTB_JSON_NULL))
        return vtb_error_set(err, VTB_ESYNTAX, "%s:%u:%u: %s%sexpected %s, got %s",
                             found->source, found->line, found->column, p, sep,
                             vtb_json_type_name(want), vtb_json_type_name(found->type));
    *out = found;
    return 0;
}

int vtb_json_get_string(const struct vtb_json_value *v, const char *path, const char **out,
                        struct vtb_error *err)
{
    const struct vtb_json_value *found = NULL;
    int rc = get(v, path, VTB_JSON_STRING, false, &found, err);

    if (rc == 0)
        *out = found->text;
    return rc;
}

int vtb_json_get_number(const struct vtb_json_value *v, const char *path, double *out,
                        struct vtb_error *err)
{
    const struct vtb_json_value *found = NULL;
    int rc = get(v, path, VTB_JSON_NUMBER, true, &found, err);

    if (rc == 0)
        *out = found->type == VTB_JSON_NUMBER ? found->number : NAN;
    return rc;
}

int vtb_json_get_bool(const struct vtb_json_value *v, const char *path, bool *out,
                      struct vtb_error *err)
{
    const struct vtb_json_value *found = NULL;
    int rc = get(v, path, VTB_JSON_BOOL, false, &found, err);

    if (rc == 0)
        *out = found->boolean;
    return rc;
}
