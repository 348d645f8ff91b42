/*
 * "Did you mean" for misspelt keys and implementation names: the nearest of
 * a list of known words, when it is close enough to be a plausible typo.
 */
#ifndef VTB_SUGGEST_H
#define VTB_SUGGEST_H

#include <stddef.h>

/*
 * The candidate nearest to word by optimal string alignment distance
 * (insertions, deletions, substitutions and swaps of neighbours), if it is
 * within a third of the candidate's length (at least one edit); else NULL.
 */
const char *vtb_suggest(const char *word, const char *const *candidates, size_t count);

#endif /* VTB_SUGGEST_H */
