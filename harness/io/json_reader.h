/*
 * A strict, bounded JSON reader (RFC 8259) for the documents vtbench reads
 * back: context.json for `vtbench report`, and any other reader of a run
 * (a gate that checks "complete": true). It is the counterpart of
 * json_writer.h, and the only JSON parser in the project.
 *
 * A document is parsed in one pass into a tree of values that one struct
 * vtb_json_doc owns: every value, key and string lives in the document's
 * memory and is freed by vtb_json_doc_fini, so a caller never frees a value.
 * Values are read through the functions below: a member by key, a value by
 * dotted path ("context.cpu_model", "object_sizes.task.bytes",
 * "cells.0.threads"), the elements of an array or the members of an object
 * by position, and scalars through typed getters.
 *
 * Strict: the text must be exactly one JSON value with optional whitespace
 * around it. Trailing text, a trailing comma, an unterminated string, an
 * unknown escape, an unpaired surrogate (\uD83D alone), a raw control
 * character or NUL byte, bytes that are not UTF-8, a number outside the
 * RFC grammar ("01", "+1", ".5", "1.", NaN) or beyond a double's range,
 * nesting deeper than VTB_JSON_READ_MAX_DEPTH, and an object that gives one
 * member name twice are all refused with VTB_ESYNTAX and "NAME:LINE:COL:
 * what is wrong" (LINE and COL from 1, COL in bytes; for a repeated name,
 * the second's value and where the first's is). \uXXXX escapes, surrogate
 * pairs included, are decoded to UTF-8. A repeated name is refused although
 * RFC 8259 allows it because the RFC leaves its meaning open: a document
 * saying {"complete": true, "complete": false} says nothing a gate can trust.
 *
 * Bounded: nesting is limited, files are read up to a caller-given size,
 * and memory follows the text's size: the tree takes about 48 bytes per
 * value plus the text of strings and numbers (and, while an array or object
 * is read, its children wait on a stack of about as much again), so a text
 * of nothing but short numbers may take some 50 times its size.
 *
 * No global state: documents are independent, and a parsed document is
 * read-only, so several threads may read one. Numbers are converted with
 * strtod, which needs LC_NUMERIC "C" (the default), as json_writer.h does.
 */
#ifndef VTB_JSON_READER_H
#define VTB_JSON_READER_H

#include <stdbool.h>
#include <stddef.h>

#include "vtb/error.h"

/* Objects and arrays nested in one another, the outermost counting 1. */
#define VTB_JSON_READ_MAX_DEPTH 64

/* A file size bound that suits vtbench's documents (context.json of a run
 * of thousands of cells is a few MB), for vtb_json_read. */
#define VTB_JSON_READ_MAX_BYTES (16u * 1024u * 1024u)

enum vtb_json_type {
    VTB_JSON_NULL,
    VTB_JSON_BOOL,
    VTB_JSON_NUMBER,
    VTB_JSON_STRING,
    VTB_JSON_ARRAY,
    VTB_JSON_OBJECT,
};

/* A value of a document; opaque, owned by the document, valid until
 * vtb_json_doc_fini. */
struct vtb_json_value;

/* A parsed document; caller-owned. Fields other than root are private. */
struct vtb_json_doc {
    const struct vtb_json_value *root; /* the document's value; NULL until parsed */
    struct vtb__json_block *blocks;    /* the memory every value lives in */
};

/*
 * Parses size bytes of text (which need not be NUL-terminated) into doc.
 * name is used in messages. Returns 0; VTB_EINVAL (NULL text, name or doc);
 * VTB_ESYNTAX with "NAME:LINE:COL: what is wrong" in err; VTB_ENOMEM. On
 * failure doc is left empty (root NULL), and vtb_json_doc_fini is harmless.
 */
int vtb_json_parse(const char *text, size_t size, const char *name, struct vtb_json_doc *doc,
                   struct vtb_error *err);

/*
 * Reads the file at path (at most max_bytes, e.g. VTB_JSON_READ_MAX_BYTES)
 * and parses it as vtb_json_parse does. name is what syntax errors call the
 * file (a report says "context.json:9:5: ..." of its own run directory);
 * NULL names it by path. Returns 0; VTB_ENOTFOUND ("PATH: no such file");
 * VTB_EIO (cannot be read); VTB_ERANGE (larger than max_bytes);
 * VTB_ESYNTAX; VTB_ENOMEM; VTB_EINVAL.
 */
int vtb_json_read(const char *path, const char *name, size_t max_bytes,
                  struct vtb_json_doc *doc, struct vtb_error *err);

/* Frees everything doc owns and empties it; every value of it is gone. */
void vtb_json_doc_fini(struct vtb_json_doc *doc);

/* The type of v, which must not be NULL. */
enum vtb_json_type vtb_json_type(const struct vtb_json_value *v);

/* "null", "true or false", "a number", "a string", "an array", "an
 * object": for messages such as "expected a number, got a string". */
const char *vtb_json_type_name(enum vtb_json_type type);

/*
 * The value of member key of object (a name is given once), or NULL when
 * object is NULL, not an object, or has no such member. key may hold dots:
 * it is one name, not a path.
 */
const struct vtb_json_value *vtb_json_member(const struct vtb_json_value *object,
                                             const char *key);

/*
 * The value at path under v: member names and array indexes (decimal, from
 * 0) separated by dots, "object_sizes.task.bytes" or "cells.0.threads".
 * NULL or "" is v itself. Returns NULL when v is NULL or any step is
 * missing (a name at a non-object, an index at a non-array or out of
 * range, an empty step). Names that hold a dot are reached with
 * vtb_json_member.
 */
const struct vtb_json_value *vtb_json_find(const struct vtb_json_value *v, const char *path);

/* The number of elements of an array or members of an object; 0 for any
 * other value and for NULL. */
size_t vtb_json_count(const struct vtb_json_value *v);

/* Element index of an array, or the value of member index of an object (in
 * document order); NULL when out of range or v is neither. */
const struct vtb_json_value *vtb_json_at(const struct vtb_json_value *v, size_t index);

/* The name of member index of an object; NULL when out of range or object
 * is not an object. */
const char *vtb_json_key_at(const struct vtb_json_value *object, size_t index);

/*
 * The text of a scalar, NUL-terminated: a string's decoded UTF-8, a number
 * exactly as written ("72", "2.5e-3": exact even beyond a double's 53
 * bits), "true" or "false". NULL for null, an array, an object, or NULL.
 */
const char *vtb_json_text(const struct vtb_json_value *v);

/* Bytes of vtb_json_text(v) before its terminating NUL; a string decoded
 * from "\u0000" holds NUL bytes, which this counts. 0 when it is NULL. */
size_t vtb_json_text_length(const struct vtb_json_value *v);

/*
 * Typed getters of the value at path under v (path as for vtb_json_find).
 * On success they return 0 and set *out (a string stays valid until the
 * document is finished). On failure *out is left as it was, so a default
 * may be stored in it beforehand, and they return VTB_ENOTFOUND
 * ("NAME:LINE:COL: PATH: missing", at v; also when v is NULL) or
 * VTB_ESYNTAX when the value is of another type ("NAME:LINE:COL: PATH:
 * expected a number, got a string", at the value). A number reads null as
 * NaN, since json_writer.h writes a NaN or an infinity as null.
 */
int vtb_json_get_string(const struct vtb_json_value *v, const char *path, const char **out,
                        struct vtb_error *err);
int vtb_json_get_number(const struct vtb_json_value *v, const char *path, double *out,
                        struct vtb_error *err);
int vtb_json_get_bool(const struct vtb_json_value *v, const char *path, bool *out,
                      struct vtb_error *err);

#endif /* VTB_JSON_READER_H */
