/*
 * The RFC 4180 reader behind csv_reader.h: one pass over the bytes with a
 * small state machine, building fields into a growing buffer.
 */
#include "csv_reader.h"


#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"

struct builder {
    char **fields;
    size_t count, cap;
    size_t *lines;
    size_t line_count, line_cap;
    char *buf;
    size_t len, buf_cap;
};

static int push_char(struct builder *b, char c)
{
    if (b->len + 1 >= b->buf_cap) {
        size_t cap = b->buf_cap ? b->buf_cap * 2 : 64;
        char *grown = realloc(b->buf, cap);
        if (grown == NULL)
            return VTB_ENOMEM;
        b->buf = grown;
        b->buf_cap = cap;
    }
    b->buf[b->len++] = c;
    return 0;
}

static int push_field(struct builder *b)
{
    if (b->count == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        char **grown = realloc(b->fields, cap * sizeof(*grown));
        if (grown == NULL)
            return VTB_ENOMEM;
        b->fields = grown;
        b->cap = cap;
    }
    char *field = malloc(b->len + 1);
    if (field == NULL)
        return VTB_ENOMEM;
    /* An empty first field has no buffer yet, and memcpy from NULL is
     * undefined even for zero bytes (found by tests/fuzz/fuzz_csv.c). */
    if (b->len > 0)
        memcpy(field, b->buf, b->len);
    field[b->len] = '\0';
    b->fields[b->count++] = field;
    b->len = 0;
    return 0;
}

static int push_line(struct builder *b, size_t line)
{
    if (b->line_count == b->line_cap) {
        size_t cap = b->line_cap ? b->line_cap * 2 : 16;
        size_t *grown = realloc(b->lines, cap * sizeof(*grown));
        if (grown == NULL)
            return VTB_ENOMEM;
        b->lines = grown;
        b->line_cap = cap;
    }
    b->lines[b->line_count++] = line;
    return 0;
}

static void builder_free(struct builder *b)
{
    for (size_t i = 0; i < b->count; i++)
        free(b->fields[i]);
    free(b->fields);
    free(b->lines);
    free(b->buf);
}

/* Ends a record: checks its width against the header's. */
static int end_record(struct builder *b, size_t *width, size_t record_start_field,
                      size_t record_line, const char *name, struct vtb_error *err)
{
    size_t n = b->count - record_start_field;
    if (*width == 0) {
        if (n > VTB_CSV_MAX_COLUMNS)
            return vtb_error_set(err, VTB_ERANGE, "%s:%zu: more than %u columns", name,
                                 record_line, VTB_CSV_MAX_COLUMNS);
        *width = n;
    } else if (n != *width) {
        return vtb_error_set(err, VTB_ESYNTAX, "%s:%zu: row has %zu fields, the header has %zu",
                             name, record_line, n, *width);
    }
    return push_line(b, record_line) == 0 ? 0 : vtb_error_set(err, VTB_ENOMEM, NULL);
}

int vtb_csv_parse(const char *data, size_t size, const char *name, struct vtb_csv_table *table,
                  struct vtb_error *err)
{
    memset(table, 0, sizeof(*table));
    if (size > VTB_CSV_MAX_BYTES)
        return vtb_error_set(err, VTB_ERANGE, "%s: larger than %u bytes", name, VTB_CSV_MAX_BYTES);
    if (size == 0)
        return vtb_error_set(err, VTB_ESYNTAX, "%s:1: empty file (expected a header row)", name);
    struct builder b;
    memset(&b, 0, sizeof(b));
    size_t line = 1, record_line = 1, record_start = 0, width = 0;
    bool in_quotes = false, after_quote = false, field_started = false;
    int rc = 0;
    for (size_t i = 0; i < size && rc == 0; i++) {
        char c = data[i];
        if (c == '\0') {
            rc = vtb_error_set(err, VTB_ESYNTAX, "%s:%zu: NUL byte (not a text file)", name, line);
            break;
        }
        if (in_quotes) {
            if (c == '"') {
                if (i + 1 < size && data[i + 1] == '"') {
                    rc = push_char(&b, '"');
                    i++;
                } else {
                    in_quotes = false;
                    after_quote = true;
                }
            } else {
                if (c == '\n')
                    line++;
                rc = push_char(&b, c);
            }
            continue;
        }
        if (c == ',') {
            rc = push_field(&b);
            after_quote = false;
            field_started = true;
            continue;
        }
        if (c == '\r' && i + 1 < size && data[i + 1] == '\n')
            continue; /* CRLF: the LF ends the record */
        if (c == '\n') {
            if ((rc = push_field(&b)) != 0)
                break;
            rc = end_record(&b, &width, record_start, record_line, name, err);
            if (rc != 0)
                goto out_error;
            record_start = b.count;
            after_quote = false;
            field_started = false;
            line++;
            record_line = line;
            continue;
        }
        if (after_quote) {
            rc = vtb_error_set(err, VTB_ESYNTAX,
                               "%s:%zu: text after a closing quote (quote the whole field)", name,
                               line);
            goto out_error;
        }
        if (c == '"') {
            if (b.len > 0) {
                rc = vtb_error_set(err, VTB_ESYNTAX,
                                   "%s:%zu: quote inside an unquoted field", name, line);
                goto out_error;
            }
            in_quotes = true;
            field_started = true;
            continue;
        }
        field_started = true;
        rc = push_char(&b, c);
    }
    if (rc == VTB_ENOMEM) {
        vtb_error_set(err, rc, "%s: out of memory", name);
        goto out_error;
    }
    if (rc != 0)
        goto out_error;
    if (in_quotes) {
        rc = vtb_error_set(err, VTB_ESYNTAX, "%s:%zu: unterminated quoted field (opened on line %zu)",
                           name, line, record_line);
        goto out_error;
    }
    if (b.len > 0 || field_started || after_quote) {
        /* The last record had no line end. */
        if ((rc = push_field(&b)) != 0) {
            vtb_error_set(err, rc, "%s: out of memory", name);
            goto out_error;
        }
        if ((rc = end_record(&b, &width, record_start, record_line, name, err)) != 0)
            goto out_error;
    }
    if (b.line_count == 0) {
        rc = vtb_error_set(err, VTB_ESYNTAX, "%s:1: no header row", name);
        goto out_error;
    }
    for (size_t i = 0; i < width; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(b.fields[i], b.fields[j]) == 0) {
                rc = vtb_error_set(err, VTB_ESYNTAX, "%s:1: duplicate column '%s'", name,
                                   b.fields[i]);
                goto out_error;
            }
    table->columns = width;
    table->rows = b.line_count - 1;
    table->header = b.fields;
    table->cells = b.fields + width;
    table->row_lines = b.lines;
    memmove(table->row_lines, table->row_lines + 1, table->rows * sizeof(size_t));
    table->source = strdup(name);
    free(b.buf);
    if (table->source == NULL) {
        b.buf = NULL;
        b.lines = NULL;
        table->row_lines = NULL;
        vtb_csv_free(table);
        return vtb_error_set(err, VTB_ENOMEM, NULL);
    }
    return 0;

out_error:
    builder_free(&b);
    memset(table, 0, sizeof(*table));
    return rc;
}

int vtb_csv_read(const char *path, struct vtb_csv_table *table, struct vtb_error *err)
{
    memset(table, 0, sizeof(*table));
    char *data = NULL;
    size_t len = 0;
    int rc = vtb_file_read_all(path, VTB_CSV_MAX_BYTES, &data, &len, err);
    if (rc == 0)
        rc = vtb_csv_parse(data, len, path, table, err);
    free(data);
    return rc;
}

void vtb_csv_free(struct vtb_csv_table *table)
{
    if (table->header != NULL) {
        size_t total = table->columns * (table->rows + 1);
        for (size_t i = 0; i < total; i++)
            free(table->header[i]);
        free(table->header);
    }
    free(table->row_lines);
    free(table->source);
    memset(table, 0, sizeof(*table));
}

long vtb_csv_column(const struct vtb_csv_table *table, const char *name)
{
    for (size_t i = 0; i < table->columns; i++)
        if (strcmp(table->header[i], name) == 0)
            return (long)i;
    return -1;
}

const char *vtb_csv_cell(const struct vtb_csv_table *table, size_t row, size_t column)
{
    if (row >= table->rows || column >= table->columns)
        return "";
    return table->cells[row * table->columns + column];
}

int vtb_csv_real(const struct vtb_csv_table *table, size_t row, size_t column, double *out,
                 struct vtb_error *err)
{
    const char *text = vtb_csv_cell(table, row, column);
    if (text[0] == '\0') {
        *out = NAN;
        return 0;
    }
    char *end = NULL;
    errno = 0;
    double value = strtod(text, &end);
    if (end == text || *end != '\0' || errno == ERANGE)
        return vtb_error_set(err, VTB_ESYNTAX, "%s:%zu: %s: not a number: '%.40s'", table->source,
                             row < table->rows ? table->row_lines[row] : 0,
                             column < table->columns ? table->header[column] : "?", text);
    *out = value;
    return 0;
}

int vtb_csv_require(const struct vtb_csv_table *table, const char *const *required,
                    struct vtb_error *err)
{
    for (size_t i = 0; required[i] != NULL; i++)
        if (vtb_csv_column(table, required[i]) < 0)
            return vtb_error_set(err, VTB_ESYNTAX, "%s:1: missing column '%s'", table->source,
                                 required[i]);
    return 0;
}
