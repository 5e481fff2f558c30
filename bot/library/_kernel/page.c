/* The page among the candidates: which are scored, the channel's and the reader's filters,
 * the exact scores, best first and the diversity rule (profile_search._settled_page,
 * recommend_search.allowed_rows, best_first and diversify). */
#include <string.h>

#include "kernel.h"

static inline Py_ssize_t term_of(const Search *s, int32_t code) {
    switch (s->term_of_size) {
    case 1: return ((const int8_t *)s->term_of)[code];
    case 2: return ((const int16_t *)s->term_of)[code];
    default: return ((const int32_t *)s->term_of)[code];
    }
}

/* What allowed() and raw_score() read of a row, asked for ahead (see PREFETCH); its tags
 * once its record has arrived. */
static inline void ask_for_row(const Search *s, int32_t row) {
    PREFETCH(&s->rec[row]);
}

static inline void ask_for_tags(const Search *s, int32_t row) {
    PREFETCH(s->row_tags + s->rec[row].tag_start);
}

/* recommend_search.allowed_rows, for one row */
static int allowed(const Search *s, int32_t row) {
    const RowRecord *r = &s->rec[row];
    if (!r->live) return 0;
    if (s->rating_mask) {
        int16_t code = r->rating;
        if (code < 0 || code >= s->rating_mask_size || !s->rating_mask[code]) return 0;
    }
    if (s->guild_mask) {
        int32_t code = r->guild;
        if (code < 0 || code >= s->guild_mask_size || !s->guild_mask[code]) return 0;
    }
    if (s->banned_count) {
        const int32_t *tags = s->row_tags + r->tag_start;
        Py_ssize_t n = r->tag_count, i = 0, j = 0;
        while (i < n && j < s->banned_count) {
            if (tags[i] == s->banned[j]) return 0;
            if (tags[i] < s->banned[j]) i++; else j++;
        }
    }
    if (s->left_out_count) {
        Py_ssize_t lo = 0, hi = s->left_out_count;
        while (lo < hi) {
            Py_ssize_t mid = lo + (hi - lo) / 2;
            if (s->left_out[mid] < row) lo = mid + 1; else hi = mid;
        }
        if (lo < s->left_out_count && s->left_out[lo] == row) return 0;
    }
    return 1;
}

#define SORTED_TERMS 128 /* a row's terms sorted on the stack; past that, found in turn */

/* profile_search._raw_scores for one row: the weights of the terms it carries, each once,
 * added up in plan order. In code order that is the order its tags are read in. */
static double raw_score(const Search *s, int32_t row) {
    const int32_t *tags = s->row_tags + s->rec[row].tag_start;
    Py_ssize_t n = s->rec[row].tag_count;
    double sum = 0.0;
    if (s->code_ordered) {
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_ssize_t term = term_of(s, tags[i]);
            if (term >= 0) sum += s->weights[term];
        }
        return sum;
    }
    /* A server's view: its terms sorted by plan position, a term two of whose members the
     * row carries once. */
    Py_ssize_t sorted[SORTED_TERMS], found = 0;
    if (n <= SORTED_TERMS) {
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_ssize_t term = term_of(s, tags[i]), j = found;
            if (term < 0) continue;
            while (j > 0 && sorted[j - 1] > term) j--;
            if (j > 0 && sorted[j - 1] == term) continue;
            memmove(&sorted[j + 1], &sorted[j], (size_t)(found - j) * sizeof(Py_ssize_t));
            sorted[j] = term;
            found++;
        }
        for (Py_ssize_t i = 0; i < found; i++) sum += s->weights[sorted[i]];
        return sum;
    }
    for (Py_ssize_t last = -1;;) { /* the next term after `last`, until none is left */
        Py_ssize_t next = -1;
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_ssize_t term = term_of(s, tags[i]);
            if (term > last && (next < 0 || term < next)) next = term;
        }
        if (next < 0) return sum;
        sum += s->weights[next];
        last = next;
    }
}

/* best first: the higher score, then the lower tie rank (recommend_search.best_first) */
static inline int better(const Search *s, const Chosen *ch, Py_ssize_t a, Py_ssize_t b) {
    if (ch->score[a] != ch->score[b]) return ch->score[a] > ch->score[b];
    return s->tie_ranks[ch->row[a]] < s->tie_ranks[ch->row[b]];
}

static void sift_down(const Search *s, const Chosen *ch, Py_ssize_t *heap, Py_ssize_t n,
                      Py_ssize_t at) {
    for (;;) {
        Py_ssize_t best = at, l = 2 * at + 1, r = l + 1;
        if (l < n && better(s, ch, heap[l], heap[best])) best = l;
        if (r < n && better(s, ch, heap[r], heap[best])) best = r;
        if (best == at) return;
        Py_ssize_t t = heap[at]; heap[at] = heap[best]; heap[best] = t;
        at = best;
    }
}

static Tally *tally_of(Tally *tallies, Py_ssize_t n, int32_t code) {
    for (Py_ssize_t i = 0; i < n; i++)
        if (tallies[i].code == code) return &tallies[i];
    return NULL;
}

/* recommend_search.diversify over best_first of everything chosen: at most two stories
 * per author and per series, a story left out counted on the latest pick it is like. */
static int diversify(const Search *s, Chosen *ch, Page *page) {
    Py_ssize_t n = ch->count, authors = 0, series = 0;
    for (Py_ssize_t i = 0; i < n; i++) ch->heap[i] = i;
    for (Py_ssize_t i = n / 2 - 1; i >= 0; i--) sift_down(s, ch, ch->heap, n, i);
    page->count = 0;
    while (n > 0 && page->count < s->limit) {
        Py_ssize_t top = ch->heap[0];
        ch->heap[0] = ch->heap[--n];
        sift_down(s, ch, ch->heap, n, 0);
        int32_t row = ch->row[top];
        const int32_t *own = s->row_authors + s->author_start[row];
        Py_ssize_t own_count = s->author_count[row];
        Tally *full = NULL;
        for (Py_ssize_t i = 0; i < own_count && !full; i++) {
            Tally *t = tally_of(ch->authors, authors, own[i]);
            if (t && t->count >= s->max_per_author) full = t;
        }
        if (full) { page->more_by_author[full->last]++; continue; }
        int32_t in_series = s->series[row];
        Tally *st = in_series >= 0 ? tally_of(ch->series, series, in_series) : NULL;
        if (st && st->count >= s->max_per_series) { page->more_in_series[st->last]++; continue; }
        Py_ssize_t p = page->count++;
        page->row[p] = row;
        page->score[p] = ch->score[top];
        page->more_by_author[p] = page->more_in_series[p] = 0;
        if (authors + own_count > ch->author_capacity) {
            Py_ssize_t grown = 2 * (authors + own_count);
            Tally *more = PyMem_Realloc(ch->authors, (size_t)grown * sizeof(Tally));
            if (!more) { PyErr_NoMemory(); return -1; }
            ch->authors = more;
            ch->author_capacity = grown;
        }
        for (Py_ssize_t i = 0; i < own_count; i++) {
            Tally *t = tally_of(ch->authors, authors, own[i]);
            if (!t) { t = &ch->authors[authors++]; t->code = own[i]; t->count = 0; }
            t->count++;
            t->last = p;
        }
        if (in_series >= 0) {
            if (!st) { st = &ch->series[series++]; st->code = in_series; st->count = 0; }
            st->count++;
            st->last = p;
        }
    }
    return 0;
}


/* profile_search._settled_page with floors, no include weight. */
int settled_page(const Search *s, Candidates *c, double outside_score, Chosen *ch,
                 Page *page, Settled *out, double *scratch, int32_t *rows_scratch,
                 Py_ssize_t *batch) {
    Py_ssize_t n = c->count, size;
    if (n > 0) memset(c->unscored, 1, (size_t)n);
    ch->count = 0;
    double floor_cut = kth_largest(c->floors, n, s->limit, scratch);
    Py_ssize_t reaching = 0;
    for (Py_ssize_t p = 0; p < n; p++) reaching += c->upper[p] >= floor_cut;
    int loose = 2 * reaching >= n, give_up = 0;
    if (loose && n > s->unproven_scored) {
        size = best_unscored(c, c->floors, s->unproven_scored, batch, scratch, rows_scratch);
        give_up = 1;
    } else if (loose && n <= s->max_scored) {
        for (Py_ssize_t p = 0; p < n; p++) batch[p] = p;
        size = n;
    } else {
        Py_ssize_t first = s->first_scored > 4 * s->limit ? s->first_scored : 4 * s->limit;
        size = best_unscored(c, c->upper, first, batch, scratch, rows_scratch);
    }
    for (;;) {
        for (Py_ssize_t i = 0; i < size; i++) {
            if (i + AHEAD < size) ask_for_row(s, c->rows[batch[i + AHEAD]]);
            if (i + AHEAD / 2 < size) ask_for_tags(s, c->rows[batch[i + AHEAD / 2]]);
            Py_ssize_t p = batch[i];
            c->unscored[p] = 0;
            int32_t row = c->rows[p];
            if (!allowed(s, row)) continue;
            double raw = raw_score(s, row);
            if (!(raw > 0.0)) continue;
            ch->row[ch->count] = row;
            ch->score[ch->count] = raw * s->rec[row].factor;
            ch->count++;
        }
        if (diversify(s, ch, page) < 0) return -1;
        Py_ssize_t left = 0;
        for (Py_ssize_t p = 0; p < n; p++) left += c->unscored[p];
        Py_ssize_t scored = n - left;
        out->scored = scored;
        out->settled = 1;
        if (!left) return 0;
        int full = page->count == s->limit;
        double last = full ? page->score[page->count - 1] : 0.0;
        if (give_up) {
            if (full && last <= outside_score) { out->settled = 0; return 0; }
            give_up = 0;
        }
        Py_ssize_t room = s->max_scored - scored;
        if (room <= 0) { out->settled = 0; return 0; }
        if (!full) {
            Py_ssize_t wanted = s->growth * scored;
            size = best_unscored(c, c->upper, room < wanted ? room : wanted, batch, scratch,
                                 rows_scratch);
            if (!size) { out->settled = 0; return 0; } /* (settings of 0: nothing to add) */
        } else {
            size = 0;
            for (Py_ssize_t p = 0; p < n; p++)
                if (c->unscored[p] && c->upper[p] >= last) batch[size++] = p;
            if (!size) return 0;
            if (size > room)
                size = best_unscored(c, c->upper, room, batch, scratch, rows_scratch);
        }
    }
}
