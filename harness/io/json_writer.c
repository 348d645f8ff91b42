/*
 * The streaming JSON emitter (see json_writer.h). Layout: a member or
 * element goes on its own line, indented two spaces per level; an empty
 * container is written as {} or [] on one line.
 */
#include "json_writer.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vtb/error.h"

void vtb_json_init(struct vtb_json_writer *w, FILE *out)
{
    memset(w, 0, sizeof(*w));
    w->out = out;
    if (out == NULL)
        w->error = VTB_EINVAL;
}

static void indent(struct vtb_json_writer *w, unsigned depth)
{
    for (unsigned i = 0; i < depth; i++)
        fputs("  ", w->out);
}

/*
 * Everything a value needs written before it: the separator and indentation
 * inside an array, nothing after a key. Returns false (and records misuse)
 * when a value is not allowed here.
 */
static bool before_value(struct vtb_json_writer *w)
{
    if (w->error != 0)
        return false;
    if (w->depth == 0) {
        if (w->done) {
            w->error = VTB_EINVAL; /* a second top-level value */
            return false;
        }
        return true;
    }
    if (w->in_object[w->depth]) {
        if (!w->key_pending) {
            w->error = VTB_EINVAL; /* a member needs a key first */
            return false;
        }
        w->key_pending = false;
        return true;
    }
    fputs(w->has_items[w->depth] ? ",\n" : "\n", w->out);
    w->has_items[w->depth] = true;
    indent(w, w->depth);
    return true;
}

static void after_value(struct vtb_json_writer *w)
{
    if (w->depth == 0)
        w->done = true;
}

/*
 * The length of the well-formed UTF-8 sequence at p (1 to 4), or 0 when
 * the bytes there are not one (a stray continuation byte, a truncated or
 * overlong sequence, a surrogate, a code point beyond U+10FFFF). A JSON
 * text must be UTF-8 (RFC 8259), and context.json carries strings read
 * from the machine (a CPU model, compiler flags) that need not be.
 */
static size_t utf8_length(const unsigned char *p)
{
    unsigned c = p[0];
    size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
                        : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (n <= 1)
        return n;
    unsigned long cp = c & (0x7F >> n);
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3F);
    }
    static const unsigned long min[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

static void write_escaped(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p >= 0x80) {
            size_t n = utf8_length(p);
            if (n == 0) {
                fputs("\\ufffd", out); /* the replacement character */
            } else {
                fwrite(p, 1, n, out);
                p += n - 1;
            }
            continue;
        }
        switch (*p) {
        case '"':
            fputs("\\\"", out);
            break;
        case '\\':
            fputs("\\\\", out);
            break;
        case '\b':
            fputs("\\b", out);
            break;
        case '\f':
            fputs("\\f", out);
            break;
        case '\n':
            fputs("\\n", out);
            break;
        case '\r':
            fputs("\\r", out);
            break;
        case '\t':
            fputs("\\t", out);
            break;
        default:
            if (*p < 0x20)
                fprintf(out, "\\u%04x", (unsigned)*p);
            else
                fputc(*p, out);
        }
    }
    fputc('"', out);
}

static void begin(struct vtb_json_writer *w, bool object)
{
    if (!before_value(w))
        return;
    if (w->depth == VTB_JSON_MAX_DEPTH) {
        w->error = VTB_EINVAL;
        return;
    }
    fputc(object ? '{' : '[', w->out);
    w->depth++;
    w->in_object[w->depth] = object;
    w->has_items[w->depth] = false;
}

static void end(struct vtb_json_writer *w, bool object)
{
    if (w->error != 0)
        return;
    if (w->depth == 0 || w->in_object[w->depth] != object || w->key_pending) {
        w->error = VTB_EINVAL;
        return;
    }
    if (w->has_items[w->depth]) {
        fputc('\n', w->out);
        indent(w, w->depth - 1);
    }
    fputc(object ? '}' : ']', w->out);
    w->depth--;
    after_value(w);
}

void vtb_json_object_begin(struct vtb_json_writer *w)
{
    begin(w, true);
}

void vtb_json_array_begin(struct vtb_json_writer *w)
{
    begin(w, false);
}

void vtb_json_object_end(struct vtb_json_writer *w)
{
    end(w, true);
}

void vtb_json_array_end(struct vtb_json_writer *w)
{
    end(w, false);
}

void vtb_json_key(struct vtb_json_writer *w, const char *key)
{
    if (w->error != 0)
        return;
    if (w->depth == 0 || !w->in_object[w->depth] || w->key_pending || key == NULL) {
        w->error = VTB_EINVAL;
        return;
    }
    fputs(w->has_items[w->depth] ? ",\n" : "\n", w->out);
    w->has_items[w->depth] = true;
    indent(w, w->depth);
    write_escaped(w->out, key);
    fputs(": ", w->out);
    w->key_pending = true;
}

/* Writes a scalar's text, already formatted. */
static void scalar(struct vtb_json_writer *w, const char *text)
{
    if (!before_value(w))
        return;
    fputs(text, w->out);
    after_value(w);
}

void vtb_json_string(struct vtb_json_writer *w, const char *s)
{
    if (s == NULL) {
        scalar(w, "null");
        return;
    }
    if (!before_value(w))
        return;
    write_escaped(w->out, s);
    after_value(w);
}

void vtb_json_double(struct vtb_json_writer *w, double v)
{
    char buf[32];

    if (!isfinite(v)) {
        scalar(w, "null");
        return;
    }
    /* The shortest of 15, 16 or 17 significant digits that reads back as
     * v: 17 always does, but would print 0.1 as 0.10000000000000001. */
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(buf, sizeof(buf), "%.*g", digits, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    scalar(w, buf);
}

void vtb_json_int(struct vtb_json_writer *w, int64_t v)
{
    char buf[24];
    snprintf(buf, sizeof(buf), "%" PRId64, v);
    scalar(w, buf);
}

void vtb_json_uint(struct vtb_json_writer *w, uint64_t v)
{
    char buf[24];
    snprintf(buf, sizeof(buf), "%" PRIu64, v);
    scalar(w, buf);
}

void vtb_json_bool(struct vtb_json_writer *w, bool v)
{
    scalar(w, v ? "true" : "false");
}

void vtb_json_null(struct vtb_json_writer *w)
{
    scalar(w, "null");
}

void vtb_json_kv_string(struct vtb_json_writer *w, const char *key, const char *s)
{
    vtb_json_key(w, key);
    vtb_json_string(w, s);
}

void vtb_json_kv_double(struct vtb_json_writer *w, const char *key, double v)
{
    vtb_json_key(w, key);
    vtb_json_double(w, v);
}

void vtb_json_kv_int(struct vtb_json_writer *w, const char *key, int64_t v)
{
    vtb_json_key(w, key);
    vtb_json_int(w, v);
}

void vtb_json_kv_uint(struct vtb_json_writer *w, const char *key, uint64_t v)
{
    vtb_json_key(w, key);
    vtb_json_uint(w, v);
}

void vtb_json_kv_bool(struct vtb_json_writer *w, const char *key, bool v)
{
    vtb_json_key(w, key);
    vtb_json_bool(w, v);
}

int vtb_json_finish(struct vtb_json_writer *w)
{
    if (w->error != 0)
        return w->error;
    if (w->depth != 0 || !w->done)
        return w->error = VTB_EINVAL;
    fputc('\n', w->out);
    return ferror(w->out) ? VTB_EIO : 0;
}
