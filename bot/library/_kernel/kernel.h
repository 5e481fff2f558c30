/* The compiled profile search: what its parts share (see profile_search.py, the reference,
 * and search.c, the outline). */
#ifndef STORYBOT_KERNEL_H
#define STORYBOT_KERNEL_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

/* The search reads a few values of each of some thousands of rows scattered over
 * library-wide arrays: each read a cache miss, one after another. Asked for some rows
 * ahead, they arrive together (and in one cache line each: RowRecord). */
#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(address) __builtin_prefetch(address)
#else
#define PREFETCH(address) ((void)0)
#endif
#define AHEAD 32 /* rows asked for ahead of the one read */

/* What the search reads of each row it bounds or scores, side by side: one cache line a
 * row instead of one in each of six library-wide arrays (which, read from cold caches in
 * the running bot, were most of the search's time). profile_kernel.row_records lays them
 * out; 32 bytes, so from a 64-byte boundary no record straddles two lines. */
typedef struct {
    double factor;
    int64_t tag_start;
    int32_t tag_count, guild;
    int16_t rating;
    uint8_t live, unused[5];
} RowRecord;

typedef struct {
    /* terms, in plan order */
    Py_ssize_t terms;
    const double *weights;
    const void *term_of; /* per tag code: the term, -1 none; 1, 2 or 4 bytes each */
    Py_ssize_t term_of_size;
    /* Plan order is code order and every term one code: a row's terms add up as its tags
     * are read (profile_search._Terms.code_ordered). */
    int code_ordered;
    /* Each term's tag codes (one, or a server tag's members) are members member_end[t - 1]
     * to member_end[t]; each member's posting list is a slice of the bulk-built lists or a
     * list of its own. term_length: a term's members' lists' lengths added up. */
    const Py_ssize_t *member_end;
    const int32_t **member_rows;
    const int64_t *member_length, *term_length;
    /* per row */
    const RowRecord *rec;
    const int64_t *author_start, *tie_ranks;
    const int32_t *author_count, *series;
    const int32_t *row_tags, *row_authors;
    const uint8_t *rating_mask, *guild_mask; /* NULL: no such filter */
    Py_ssize_t rating_mask_size, guild_mask_size;
    const int64_t *banned; /* ascending tag codes */
    Py_ssize_t banned_count;
    const int64_t *left_out; /* ascending rows */
    Py_ssize_t left_out_count;
    /* settings */
    Py_ssize_t limit, unproven_scored, first_scored, max_scored, growth;
    double slack, length_free_tags;
    int grow_unprovable;
    Py_ssize_t max_per_author, max_per_series; /* stories on a page */
} Search;

/* The candidates of one budget: rows (in the order first met), their weight on the gathered
 * terms, how many gathered terms each carries, bounds and floors. */
typedef struct {
    Py_ssize_t count;
    int32_t *rows;
    double *partial, *upper, *floors;
    int32_t *hits;
    uint8_t *unscored;
} Candidates;

/* The page: its picks best first, with the stories left out for each (recommend_search.Pick). */
typedef struct {
    Py_ssize_t count;
    int32_t *row;
    double *score;
    Py_ssize_t *more_by_author, *more_in_series;
} Page;

/* An author's or a series' picks on the page so far, and the latest one's place. */
typedef struct { int32_t code; Py_ssize_t count, last; } Tally;

typedef struct {
    /* every scored, allowed candidate with a score */
    Py_ssize_t count;
    int32_t *row;
    double *score;
    /* scratch */
    Py_ssize_t *heap;
    Tally *authors, *series;
    Py_ssize_t author_capacity;
} Chosen;

typedef struct { int settled; Py_ssize_t scored; } Settled;

typedef struct {
    int exact;
    Py_ssize_t candidates, scored;
} Outcome;

/* select.c */
double kth_largest(const double *values, Py_ssize_t n, Py_ssize_t k, double *scratch);
Py_ssize_t best_unscored(const Candidates *c, const double *values, Py_ssize_t count,
                         Py_ssize_t *batch, double *scratch, int32_t *rows_scratch);
/* page.c */
int settled_page(const Search *s, Candidates *c, double outside_score, Chosen *ch, Page *page,
                 Settled *out, double *scratch, int32_t *rows_scratch, Py_ssize_t *batch);
/* search.c */
int profile_search(const Search *s, Py_ssize_t budget, Py_ssize_t max_budget, Page *page,
                   Outcome *out);

#endif
