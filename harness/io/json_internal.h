/*
 * The tree of a parsed JSON document, shared by its reader (json_reader.c)
 * and its accessors (json_tree.c); private to them.
 */
#ifndef VTB_JSON_INTERNAL_H
#define VTB_JSON_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "json_reader.h"

/* A member name; names may hold NUL bytes ("\u0000"), so the length counts. */
struct key {
    const char *text;
    size_t length;
};

/* 48 bytes on a 64-bit machine: the unions overlay what no one value needs
 * together (a text and children; a number and member names). */
struct vtb_json_value {
    enum vtb_json_type type;
    bool boolean;
    unsigned line, column; /* where it starts, for the getters' messages */
    const char *source;    /* the document's name, in its memory */
    size_t count;          /* text bytes of a scalar, or children of a container */
    union {
        const char *text;             /* string, number, true/false: NUL-terminated */
        struct vtb_json_value *items; /* array elements, object member values */
    };
    union {
        double number;          /* a number's value */
        const struct key *keys; /* object member names, parallel to items */
    };
};

/* size bytes in doc's memory at a multiple of align (a power of two, at
 * most that of max_align_t); NULL when out of memory (json_tree.c). */
void *vtb__json_doc_alloc(struct vtb_json_doc *doc, size_t size, size_t align);

#endif /* VTB_JSON_INTERNAL_H */
