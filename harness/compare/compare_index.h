/*
 * The gate's joins, by hash rather than by scan: rows of one side indexed
 * by identity (refusing a cell given twice), a row of the other side
 * looked up in that index, and every samples.csv row joined to the results
 * row it belongs to (refusing a round given twice). A large run has tens of
 * thousands of cells and five times as many samples, so the cost must grow
 * with the files, not with their product.
 */
#ifndef VTB_COMPARE_INDEX_H
#define VTB_COMPARE_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "csv_reader.h"
#include "vtb/error.h"

struct vtb_compare_side;

/*
 * An open-addressed hash index of rows: a slot holds a row + 1 (0: free)
 * and the row's hash, so that a probe compares texts only on a full hash
 * match. Each use supplies its own equality; at most two thirds of the
 * slots are ever taken.
 */
struct vtb__index_slot {
    uint32_t row;
    uint32_t hash;
};

struct vtb__index {
    struct vtb__index_slot *slots;
    size_t mask;
};

/* Room for rows rows. Returns 0 or VTB_ENOMEM. */
int vtb__index_init(struct vtb__index *ix, size_t rows);

void vtb__index_free(struct vtb__index *ix);

/* The slot of the row that same(probe, row) accepts among the rows of hash
 * h, or the free slot where such a row would go. */
struct vtb__index_slot *vtb__index_find(const struct vtb__index *ix, uint32_t h,
                                        bool (*same)(const void *probe, size_t row),
                                        const void *probe);

/* FNV-1a over bytes, continued from h (start from VTB__HASH_SEED), and the
 * final mix that spreads it over the low bits the index uses. */
#define VTB__HASH_SEED 2166136261u
uint32_t vtb__hash_bytes(uint32_t h, const void *data, size_t n);
uint32_t vtb__hash_finish(uint32_t h);

/*
 * Indexes the rows of s by identity (s->cells) and notes which identifying
 * columns vary in s. Refuses (VTB_ESYNTAX, naming both lines) a cell that
 * appears twice: which of the two the other side's row should meet is a
 * guess, and a gate must not guess. VTB_ENOMEM.
 */
int vtb__compare_index_rows(struct vtb_compare_side *s, struct vtb_error *err);

/* The row of indexed with the identity of row of s, or -1. */
long vtb__compare_find_row(const struct vtb_compare_side *indexed,
                           const struct vtb_compare_side *s, size_t row);

/*
 * Joins samples (scenario, cell_index, impl, repetition, ns_per_op, and
 * when present floor_ns and used) to the rows of s by scenario, impl and
 * cell_index, and gives each row its rounds in use (struct
 * vtb_compare_row). A sample of no row is ignored (a results file cut down
 * to some cells keeps its samples); a row whose cell_index is empty gets
 * none. Refused with VTB_ESYNTAX: two rows of s under one scenario, impl
 * and cell_index (their samples could not be told apart), one round of one
 * cell given twice, a time or floor that is negative or not finite.
 * VTB_ENOMEM.
 */
int vtb__compare_join_samples(struct vtb_compare_side *s, const struct vtb_csv_table *samples,
                              struct vtb_error *err);

#endif /* VTB_COMPARE_INDEX_H */
