/* The profile search of bot/library/profile_search.py, compiled: one call instead of some
 * forty numpy calls, whose own cost (not the arithmetic) was most of a "for me" search in
 * the running bot. profile_search.py is the reference and the documentation: this file
 * follows `search_profile` (and page.c `_settled_page`) step by step, with the same
 * arithmetic in the same order (built with -ffp-contract=off), so every score is
 * bit-equal, and the same tie rules, so every page is the same. It takes every plan but
 * those with include tags or a list of story ids (profile_kernel.py sends those to
 * numpy). setup.py builds it as an optional extension: without a compiler the numpy
 * search runs.
 */
#include <math.h>
#include <string.h>

#include "kernel.h"

/* [0, the heaviest, the two heaviest added up, ...] of weights[order[from..n)]:
 * profile_search._best_sums. `out` holds n - from + 1. */
static void best_sums(const Search *s, const Py_ssize_t *order, Py_ssize_t from, double *out,
                      double *scratch) {
    Py_ssize_t m = s->terms - from;
    for (Py_ssize_t i = 0; i < m; i++) scratch[i] = s->weights[order[from + i]];
    /* descending; equal weights are the same value, so any sort gives the same sums */
    for (Py_ssize_t i = 1; i < m; i++) {
        double v = scratch[i];
        Py_ssize_t j = i;
        while (j > 0 && scratch[j - 1] < v) { scratch[j] = scratch[j - 1]; j--; }
        scratch[j] = v;
    }
    out[0] = 0.0;
    for (Py_ssize_t i = 0; i < m; i++) out[i + 1] = out[i] + scratch[i];
}

/* profile_search._outside, with no include weight (base 0.0). */
static double outside(const Search *s, const double *sums, Py_ssize_t length) {
    double best = -INFINITY;
    for (Py_ssize_t m = 0; m < length; m++) {
        double carried = (double)(m > (Py_ssize_t)s->length_free_tags
                                  ? m : (Py_ssize_t)s->length_free_tags);
        double factor = sqrt(s->length_free_tags / carried);
        double value = (sums[m] + 0.0) * factor;
        if (value > best || m == 0) best = value;
    }
    return best * s->slack;
}

/* profile_search._terms_within */
static Py_ssize_t terms_within(const int64_t *reach, Py_ssize_t n, Py_ssize_t budget) {
    Py_ssize_t taken = 0;
    while (taken < n && reach[taken] <= budget) taken++;
    return taken > 0 ? taken : 1;
}

/* Every candidate of a budget: the gathered terms' posting rows, numbered in the order
 * first met, with their weights added in gathering order (as bincount adds them). A row on
 * two members' lists of one term counts it twice: only ever too high, which a bound allows
 * (profile_search._gathered). A row's number is found in `table`, 2^bits slots hashed by
 * row (at least twice as many as candidates): a table the size of the candidates stays in
 * the cache, where one slot per library row (400 KB at 100k stories) was a cache miss per
 * posting row once the caches were cold. */
static void gather(const Search *s, const Py_ssize_t *order, Py_ssize_t taken, Candidates *c,
                   int32_t *table, unsigned bits) {
    Py_ssize_t n = 0;
    c->count = 0;
    if (!table) return; /* no term gathered has a posting row: no table was needed */
    uint32_t mask = (1u << bits) - 1u;
    memset(table, 0xff, ((size_t)mask + 1u) * sizeof(int32_t)); /* every slot -1: empty */
    for (Py_ssize_t j = 0; j < taken; j++) {
        Py_ssize_t term = order[j];
        double weight = s->weights[term];
        Py_ssize_t first = term ? s->member_end[term - 1] : 0;
        for (Py_ssize_t member = first; member < s->member_end[term]; member++) {
            const int32_t *rows = s->member_rows[member];
            int64_t count = s->member_length[member];
            for (int64_t i = 0; i < count; i++) {
                int32_t row = rows[i];
                uint32_t h = ((uint32_t)row * 0x9E3779B1u) >> (32u - bits); /* Fibonacci */
                int32_t slot;
                while ((slot = table[h]) >= 0 && c->rows[slot] != row) h = (h + 1u) & mask;
                if (slot < 0) {
                    slot = (int32_t)n++;
                    table[h] = slot;
                    c->rows[slot] = row;
                    c->partial[slot] = 0.0;
                    c->hits[slot] = 0;
                }
                c->partial[slot] += weight;
                c->hits[slot]++;
            }
        }
    }
    c->count = n;
}


/* Every array sized by the candidates, grown with the budget. */
typedef struct {
    Py_ssize_t capacity;
    Candidates c;
    Chosen ch;
    double *scratch;
    int32_t *rows_scratch;
    Py_ssize_t *batch;
    int32_t *table; /* gather's row numbers, 2^table_bits slots */
    unsigned table_bits;
} Work;

static int grow(void **array, Py_ssize_t count, size_t size) {
    void *more = PyMem_Realloc(*array, (size_t)count * size);
    if (!more) { PyErr_NoMemory(); return -1; }
    *array = more;
    return 0;
}

static int ensure_capacity(Work *w, Py_ssize_t needed) {
    if (needed <= w->capacity) return 0;
    Py_ssize_t n = needed + 1;
    if (grow((void **)&w->c.rows, n, sizeof(int32_t)) < 0
        || grow((void **)&w->c.hits, n, sizeof(int32_t)) < 0
        || grow((void **)&w->c.partial, n, sizeof(double)) < 0
        || grow((void **)&w->c.upper, n, sizeof(double)) < 0
        || grow((void **)&w->c.floors, n, sizeof(double)) < 0
        || grow((void **)&w->c.unscored, n, 1) < 0
        || grow((void **)&w->ch.row, n, sizeof(int32_t)) < 0
        || grow((void **)&w->ch.score, n, sizeof(double)) < 0
        || grow((void **)&w->ch.heap, n, sizeof(Py_ssize_t)) < 0
        || grow((void **)&w->scratch, n, sizeof(double)) < 0
        || grow((void **)&w->rows_scratch, n, sizeof(int32_t)) < 0
        || grow((void **)&w->batch, n, sizeof(Py_ssize_t)) < 0)
        return -1;
    unsigned bits = 4;
    while (bits < 31 && ((Py_ssize_t)1 << bits) < 2 * n) bits++;
    if (grow((void **)&w->table, (Py_ssize_t)1 << bits, sizeof(int32_t)) < 0) return -1;
    w->table_bits = bits;
    w->capacity = needed;
    return 0;
}

static void free_work(Work *w) {
    PyMem_Free(w->c.rows); PyMem_Free(w->c.hits); PyMem_Free(w->c.partial);
    PyMem_Free(w->c.upper); PyMem_Free(w->c.floors); PyMem_Free(w->c.unscored);
    PyMem_Free(w->ch.row); PyMem_Free(w->ch.score); PyMem_Free(w->ch.heap);
    PyMem_Free(w->ch.series); PyMem_Free(w->ch.authors);
    PyMem_Free(w->scratch); PyMem_Free(w->rows_scratch); PyMem_Free(w->batch);
    PyMem_Free(w->table);
}

int profile_search(const Search *s, Py_ssize_t budget, Py_ssize_t max_budget, Page *page,
                   Outcome *out) {
    Py_ssize_t n = s->terms;
    int status = -1;
    Py_ssize_t *order = PyMem_Malloc((size_t)n * sizeof(Py_ssize_t));
    double *keys = PyMem_Malloc((size_t)n * sizeof(double));
    int64_t *reach = PyMem_Malloc((size_t)n * sizeof(int64_t));
    double *sums = PyMem_Malloc((size_t)(n + 1) * sizeof(double));
    double *sum_scratch = PyMem_Malloc((size_t)(n + 1) * sizeof(double));
    Work w = {0};
    Candidates *c = &w.c;
    Chosen *ch = &w.ch;
    ch->series = PyMem_Malloc((size_t)(s->limit + 1) * sizeof(Tally));
    ch->author_capacity = 4 * (s->limit + 1);
    ch->authors = PyMem_Malloc((size_t)ch->author_capacity * sizeof(Tally));
    if (!order || !keys || !reach || !sums || !sum_scratch || !ch->series || !ch->authors) {
        PyErr_NoMemory();
        goto done;
    }

    /* gathering order: weight per posting row, heaviest first, stable */
    for (Py_ssize_t i = 0; i < n; i++) {
        int64_t length = s->term_length[i];
        keys[i] = -(s->weights[i] / (double)(length > 1 ? length : 1));
        Py_ssize_t j = i;
        while (j > 0 && keys[i] < keys[order[j - 1]]) { order[j] = order[j - 1]; j--; }
        order[j] = i;
    }
    int64_t total = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        total += s->term_length[order[i]];
        reach[i] = total;
    }

    for (;;) {
        Py_ssize_t taken = terms_within(reach, n, budget);
        if (ensure_capacity(&w, (Py_ssize_t)reach[taken - 1]) < 0) goto done;
        gather(s, order, taken, c, w.table, w.table_bits);
        best_sums(s, order, taken, sums, sum_scratch);
        Py_ssize_t rest = n - taken; /* sums holds rest + 1 */
        for (Py_ssize_t p = 0; p < c->count; p++) {
            if (p + AHEAD < c->count) PREFETCH(&s->rec[c->rows[p + AHEAD]]);
            int32_t row = c->rows[p];
            Py_ssize_t others = (Py_ssize_t)s->rec[row].tag_count - c->hits[p];
            if (others > rest) others = rest;
            double bound = c->partial[p] + sums[others];
            bound = bound + 0.0;
            bound = bound * s->rec[row].factor;
            c->upper[p] = bound * s->slack;
        }
        int complete = taken == n;
        double outside_score = outside(s, sums, rest + 1);
        int can_grow = budget < max_budget && taken < n;
        if (can_grow && !complete
            && kth_largest(c->upper, c->count, s->limit, w.scratch) <= outside_score) {
            budget = budget * s->growth < max_budget ? budget * s->growth : max_budget;
            continue;
        }
        for (Py_ssize_t p = 0; p < c->count; p++)
            c->floors[p] = c->partial[p] * s->rec[c->rows[p]].factor;
        Settled settled;
        if (settled_page(s, c, outside_score, ch, page, &settled, w.scratch, w.rows_scratch,
                         w.batch) < 0)
            goto done;
        int full = page->count == s->limit;
        double last = page->count ? page->score[page->count - 1] : 0.0;
        out->candidates = c->count;
        out->scored = settled.scored;
        if (settled.settled && (complete || (full && last > outside_score))) {
            out->exact = 1;
            break;
        }
        out->exact = 0;
        if (!can_grow) break;
        budget = budget * s->growth < max_budget ? budget * s->growth : max_budget;
        if (full && !s->grow_unprovable) {
            Py_ssize_t within = terms_within(reach, n, budget);
            best_sums(s, order, within, sums, sum_scratch);
            if (outside(s, sums, n - within + 1) >= last) break;
        }
    }
    status = 0;
done:
    PyMem_Free(order); PyMem_Free(keys); PyMem_Free(reach); PyMem_Free(sums);
    PyMem_Free(sum_scratch);
    free_work(&w);
    return status;
}
