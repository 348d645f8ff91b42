/*
 * An RFC 4180 CSV reader for vtbench's own files (results.csv, samples.csv,
 * baselines), shared by `vtbench compare` and `vtbench report`.
 *
 * The whole file is read into a table: a header row and data rows of the
 * same width. Quoted fields may hold commas, doubled quotes and line
 * breaks; CRLF and LF line ends are both accepted, and a UTF-8 byte-order
 * mark (which spreadsheet programs add) is skipped rather than read as part
 * of the first column's name. Anything malformed (an unterminated quote,
 * text after a closing quote, a row of the wrong width, a NUL byte, an
 * empty file, a duplicate column name) is an error naming the file and
 * line, never a crash: the reader is fuzzed.
 *
 * A results file of a large run holds millions of fields, so the table is
 * stored compactly: the file's own bytes, decoded in place, with every
 * field NUL-terminated where its delimiter was, plus one 32-bit offset per
 * field. A table costs about twice its file, not a pointer and an
 * allocation per field.
 */
#ifndef VTB_CSV_READER_H
#define VTB_CSV_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vtb/error.h"

/* Limits that keep a hostile file from exhausting memory. The byte limit
 * also keeps every offset into a table's text within 32 bits. */
#define VTB_CSV_MAX_BYTES (256u * 1024u * 1024u)
#define VTB_CSV_MAX_COLUMNS 4096u

struct vtb_csv_table {
    size_t columns;      /* header width */
    size_t rows;         /* data rows (header excluded) */
    size_t *row_lines;   /* 1-based line where each data row starts */
    char *source;        /* file name, for messages */
    /* The storage, the reader's own: read it through the functions below. */
    char *text;          /* the file's bytes decoded in place, fields NUL-terminated */
    uint32_t *fields;    /* (rows + 1) x columns offsets into text, the header first */
    uint32_t *names;     /* hash of the header's names: column + 1, 0 when free */
    size_t names_mask;   /* slots in names - 1 (a power of two - 1) */
};

/*
 * Parses size bytes of CSV text. name is used in messages. Returns 0 and
 * fills table (free with vtb_csv_free), or VTB_ESYNTAX / VTB_ERANGE /
 * VTB_ENOMEM with "NAME:LINE: what is wrong" in err.
 */
int vtb_csv_parse(const char *data, size_t size, const char *name, struct vtb_csv_table *table,
                  struct vtb_error *err);

/* Reads and parses the file at path; VTB_EIO when it cannot be read. */
int vtb_csv_read(const char *path, struct vtb_csv_table *table, struct vtb_error *err);

/*
 * As vtb_csv_read, keeping only the columns named in columns (NULL-
 * terminated; NULL keeps all), in the file's order: a reader that needs a
 * few of a wide file's columns holds only those, and the file's bytes
 * beyond them are given back as the parse goes. Names the file does not
 * have are simply absent (check with vtb_csv_require); every row is still
 * checked against the header's full width.
 */
int vtb_csv_read_columns(const char *path, const char *const *columns,
                         struct vtb_csv_table *table, struct vtb_error *err);

/* Frees what a successful parse allocated; safe on a table a failed parse
 * left (all zero), and leaves table all zero. */
void vtb_csv_free(struct vtb_csv_table *table);

/* Index of the column called name, or -1. A hash lookup: its cost is the
 * length of name, not the number of columns. */
long vtb_csv_column(const struct vtb_csv_table *table, const char *name);

/* The name of a column, or NULL when column >= table->columns. */
const char *vtb_csv_header(const struct vtb_csv_table *table, size_t column);

/* The text of a cell (never NULL; "" outside the table). Valid until
 * vtb_csv_free. */
const char *vtb_csv_cell(const struct vtb_csv_table *table, size_t row, size_t column);

/*
 * Reads a cell as a number. An empty cell is NaN (vtbench writes NaN as
 * empty). Returns 0, or VTB_ESYNTAX with "NAME:LINE: COLUMN: ..." in err.
 */
int vtb_csv_real(const struct vtb_csv_table *table, size_t row, size_t column, double *out,
                 struct vtb_error *err);

/* Checks that every name in required (NULL-terminated) is a column; returns
 * 0 or VTB_ESYNTAX naming the first missing one. */
int vtb_csv_require(const struct vtb_csv_table *table, const char *const *required,
                    struct vtb_error *err);

#endif /* VTB_CSV_READER_H */
