/*
 * The "csv" reporter: results.csv, one row per cell x implementation, the
 * file that gnuplot and `vtbench compare` read. Header and rows both come
 * from the column table in csv_columns.h, which this file also defines,
 * together with the RFC 4180 field writers that samples.csv shares.
 */
#include "csv_columns.h"

#include <math.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "atomic_file.h"
#include "reporter_list.h"
#include "stats.h"

#define VTB__CSV_ENTRY(cname, ctype, member, cformat)                                    \
    {                                                                                     \
        .name = #cname,                                                                   \
        .type = VTB_CSV_##ctype,                                                          \
        .offset = offsetof(struct vtb_record, member),                                    \
        .size = sizeof(((const struct vtb_record *)0)->member),                           \
        .format = cformat,                                                                \
    },
const struct vtb_csv_column vtb_csv_columns[VTB_CSV_COLUMN_COUNT] = {
    VTB_CSV_COLUMNS(VTB__CSV_ENTRY)
};
#undef VTB__CSV_ENTRY

/*
 * The column types must match the record: a column reads its field through
 * an offset, so a wrong type would read garbage without a compiler warning.
 * _Generic makes the compiler check it instead (a text field decays to
 * char *; WARNINGS is an unsigned bit set).
 */
#define VTB__CSV_FIELD_TYPE(member)                                  \
    _Generic((((struct vtb_record *)0)->member),                     \
             char *: VTB_CSV_TEXT,                                   \
             unsigned: VTB_CSV_UNSIGNED,                             \
             uint64_t: VTB_CSV_U64,                                  \
             double: VTB_CSV_REAL,                                   \
             bool: VTB_CSV_BOOL)
#define VTB__CSV_CHECK(cname, ctype, member, cformat)                                    \
    _Static_assert(VTB__CSV_FIELD_TYPE(member) ==                                         \
                       (VTB_CSV_##ctype == VTB_CSV_WARNINGS ? VTB_CSV_UNSIGNED            \
                                                            : VTB_CSV_##ctype),           \
                   "csv column " #cname ": type does not match the record field");
VTB_CSV_COLUMNS(VTB__CSV_CHECK)
#undef VTB__CSV_CHECK
#undef VTB__CSV_FIELD_TYPE

const struct vtb_csv_column *vtb_csv_column_find(const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < VTB_CSV_COLUMN_COUNT; i++)
        if (strcmp(vtb_csv_columns[i].name, name) == 0)
            return &vtb_csv_columns[i];
    return NULL;
}

static int stream_status(FILE *out)
{
    return ferror(out) ? VTB_EIO : 0;
}

int vtb_csv_write_text(FILE *out, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, out);
        return stream_status(out);
    }
    fputc('"', out);
    for (const char *p = s; *p != '\0'; p++) {
        if (*p == '"')
            fputc('"', out);
        fputc(*p, out);
    }
    fputc('"', out);
    return stream_status(out);
}

int vtb_csv_write_real(FILE *out, double v, const char *format)
{
    if (isnan(v))
        return stream_status(out);
    if (isinf(v))
        fputs(v > 0 ? "inf" : "-inf", out);
    else
        fprintf(out, format, v);
    return stream_status(out);
}

int vtb_csv_write_field(FILE *out, const struct vtb_csv_column *col,
                        const struct vtb_record *rec)
{
    const char *field = (const char *)rec + col->offset;

    switch (col->type) {
    case VTB_CSV_TEXT: {
        /* The record's text fields are NUL-terminated within their arrays;
         * bound the read anyway so a corrupt record cannot overrun. */
        char text[VTB_RECORD_TEXT];
        size_t n = strnlen(field, col->size);
        if (n >= sizeof(text))
            n = sizeof(text) - 1;
        memcpy(text, field, n);
        text[n] = '\0';
        return vtb_csv_write_text(out, text);
    }
    case VTB_CSV_UNSIGNED: {
        unsigned v;
        memcpy(&v, field, sizeof(v));
        fprintf(out, "%u", v);
        return stream_status(out);
    }
    case VTB_CSV_U64: {
        uint64_t v;
        memcpy(&v, field, sizeof(v));
        fprintf(out, "%" PRIu64, v);
        return stream_status(out);
    }
    case VTB_CSV_REAL: {
        double v;
        memcpy(&v, field, sizeof(v));
        return vtb_csv_write_real(out, v, col->format);
    }
    case VTB_CSV_BOOL: {
        bool v;
        memcpy(&v, field, sizeof(v));
        fputs(v ? "true" : "false", out);
        return stream_status(out);
    }
    case VTB_CSV_WARNINGS: {
        unsigned bits;
        char text[256];
        memcpy(&bits, field, sizeof(bits));
        /* A truncated description (VTB_ERANGE) is still worth writing. */
        vtb_stats_warnings_describe(bits, text, sizeof(text));
        return vtb_csv_write_text(out, text);
    }
    }
    return VTB_EINVAL;
}

/* Reporter state: the one output file. */
struct csv_state {
    struct vtb_atomic_file file;
};

static int csv_begin(void *state, const struct vtb_run_info *info, struct vtb_error *err)
{
    struct csv_state *s = state;
    int rc = vtb_atomic_file_open(&s->file, info->run_dir, "results.csv", err);

    if (rc != 0)
        return rc;
    for (size_t i = 0; i < VTB_CSV_COLUMN_COUNT; i++) {
        if (i > 0)
            fputc(',', s->file.fp);
        vtb_csv_write_text(s->file.fp, vtb_csv_columns[i].name);
    }
    fputs(VTB_CSV_EOL, s->file.fp);
    rc = vtb_atomic_file_check(&s->file, err);
    if (rc != 0)
        vtb_atomic_file_abort(&s->file);
    return rc;
}

static int csv_record(void *state, const struct vtb_record *rec, struct vtb_error *err)
{
    struct csv_state *s = state;
    int rc;

    if (s->file.fp == NULL)
        return vtb_error_set(err, VTB_ESTATE, "results.csv: not open");
    for (size_t i = 0; i < VTB_CSV_COLUMN_COUNT; i++) {
        if (i > 0)
            fputc(',', s->file.fp);
        vtb_csv_write_field(s->file.fp, &vtb_csv_columns[i], rec);
    }
    fputs(VTB_CSV_EOL, s->file.fp);
    /* Field writers report stream errors too, but the file's own check
     * also names the file and the errno, so use it once per row. */
    rc = vtb_atomic_file_check(&s->file, err);
    if (rc != 0)
        vtb_atomic_file_abort(&s->file);
    return rc;
}

static int csv_end(void *state, const struct vtb_run_info *info, struct vtb_error *err)
{
    struct csv_state *s = state;
    (void)info;
    return vtb_atomic_file_commit(&s->file, err);
}

static void csv_abort(void *state)
{
    struct csv_state *s = state;
    vtb_atomic_file_abort(&s->file);
}

const struct vtb_reporter_ops vtb_reporter_csv = {
    .name = "csv",
    .summary = "results.csv: one RFC 4180 row per cell x implementation",
    .state_size = sizeof(struct csv_state),
    .begin = csv_begin,
    .record = csv_record,
    .end = csv_end,
    .abort = csv_abort,
};
