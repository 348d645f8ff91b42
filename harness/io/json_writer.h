/*
 * A small streaming JSON emitter, shared by results.json and context.json.
 *
 * Like jemalloc's emitter, the caller describes the document as a sequence
 * of calls (begin an object, a key, a value, end it) and the writer takes
 * care of commas, indentation and escaping, so that no reporter assembles
 * JSON by hand. Output is pretty-printed with two spaces per level, in the
 * layout Google Benchmark's JSON reporter uses, and is always valid JSON:
 * strings are escaped (quote, backslash and every control character;
 * bytes >= 0x80 pass through, so UTF-8 input stays UTF-8), and numbers that
 * JSON cannot express (NaN, infinities) are written as null.
 *
 * The emitting functions return nothing: the first misuse (a value where a
 * key is due, unbalanced nesting, nesting deeper than VTB_JSON_MAX_DEPTH) is
 * remembered, later calls do nothing, and vtb_json_finish reports it, which
 * keeps the formatting code free of an error check per field. Stream write
 * errors are sticky in the FILE* and reported by vtb_json_finish as well.
 */
#ifndef VTB_JSON_WRITER_H
#define VTB_JSON_WRITER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Deepest nesting of objects and arrays supported. */
#define VTB_JSON_MAX_DEPTH 16

/* Writer state; caller-owned, set up by vtb_json_init. Fields are private. */
struct vtb_json_writer {
    FILE *out;
    int error;                                /* first misuse, 0 if none */
    unsigned depth;                           /* open containers */
    bool in_object[VTB_JSON_MAX_DEPTH + 1];   /* container at each depth is an object */
    bool has_items[VTB_JSON_MAX_DEPTH + 1];   /* it already holds a member */
    bool key_pending;                         /* a key was written; its value is due */
    bool done;                                /* the top-level value is complete */
};

/* Starts a document written to out (which the caller owns and closes). */
void vtb_json_init(struct vtb_json_writer *w, FILE *out);

/* Opens an object or an array, as a value (after a key inside an object). */
void vtb_json_object_begin(struct vtb_json_writer *w);
void vtb_json_array_begin(struct vtb_json_writer *w);

/* Closes the innermost object or array; it must be of that kind. */
void vtb_json_object_end(struct vtb_json_writer *w);
void vtb_json_array_end(struct vtb_json_writer *w);

/* Writes the key of the next member of the current object (escaped). */
void vtb_json_key(struct vtb_json_writer *w, const char *key);

/*
 * Scalar values, in an array, after a key, or as the whole document.
 * vtb_json_string writes NULL as null. vtb_json_double writes the shortest
 * decimal form that reads back as the same double (at most 17 significant
 * digits), and NaN or an infinity as null. Numbers are formatted with the
 * C library's LC_NUMERIC, which must be "C" (the default).
 */
void vtb_json_string(struct vtb_json_writer *w, const char *s);
void vtb_json_double(struct vtb_json_writer *w, double v);
void vtb_json_int(struct vtb_json_writer *w, int64_t v);
void vtb_json_uint(struct vtb_json_writer *w, uint64_t v);
void vtb_json_bool(struct vtb_json_writer *w, bool v);
void vtb_json_null(struct vtb_json_writer *w);

/* A key and its value in one call, for the common case. */
void vtb_json_kv_string(struct vtb_json_writer *w, const char *key, const char *s);
void vtb_json_kv_double(struct vtb_json_writer *w, const char *key, double v);
void vtb_json_kv_int(struct vtb_json_writer *w, const char *key, int64_t v);
void vtb_json_kv_uint(struct vtb_json_writer *w, const char *key, uint64_t v);
void vtb_json_kv_bool(struct vtb_json_writer *w, const char *key, bool v);

/*
 * Ends the document with a newline. Returns 0; VTB_EINVAL if the calls
 * did not describe exactly one complete JSON value (misuse, unclosed
 * containers, nothing written); VTB_EIO if the stream reports an error.
 * Does not flush or close the stream.
 */
int vtb_json_finish(struct vtb_json_writer *w);

#endif /* VTB_JSON_WRITER_H */
