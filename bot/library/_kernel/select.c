/* Choosing among candidates by value in linear time (numpy's partition, with explicit
 * tie rules where numpy's are its own). */
#include <math.h>
#include <string.h>

#include "kernel.h"

/* The k-th smallest (0-based) of values[0..n), reordering them (quickselect), for a
 * type: select_double and select_int. */
#define DEFINE_SELECT(name, type)                                                          \
    static type name(type *v, Py_ssize_t n, Py_ssize_t k) {                                \
        Py_ssize_t lo = 0, hi = n - 1;                                                     \
        while (hi > lo) {                                                                  \
            Py_ssize_t mid = lo + (hi - lo) / 2;                                           \
            type t;                                                                        \
            if (v[mid] < v[lo]) { t = v[mid]; v[mid] = v[lo]; v[lo] = t; }                 \
            if (v[hi] < v[lo]) { t = v[hi]; v[hi] = v[lo]; v[lo] = t; }                    \
            if (v[hi] < v[mid]) { t = v[hi]; v[hi] = v[mid]; v[mid] = t; }                 \
            type pivot = v[mid];                                                           \
            Py_ssize_t i = lo, j = hi;                                                     \
            while (i <= j) {                                                               \
                while (v[i] < pivot) i++;                                                  \
                while (pivot < v[j]) j--;                                                  \
                if (i <= j) { t = v[i]; v[i] = v[j]; v[j] = t; i++; j--; }                 \
            }                                                                              \
            if (k <= j) hi = j;                                                            \
            else if (k >= i) lo = i;                                                       \
            else break;                                                                    \
        }                                                                                  \
        return v[k];                                                                       \
    }

DEFINE_SELECT(select_double, double)
DEFINE_SELECT(select_int, int32_t)

/* profile_search._kth_largest */
double kth_largest(const double *values, Py_ssize_t n, Py_ssize_t k, double *scratch) {
    if (n < k) return -INFINITY;
    memcpy(scratch, values, (size_t)n * sizeof(double));
    return select_double(scratch, n, n - k);
}

/* profile_search._best_unscored: up to `count` unscored candidates, highest `values`
 * first; among equal values at the cut, the lower rows. Writes positions into `batch`. */
Py_ssize_t best_unscored(const Candidates *c, const double *values, Py_ssize_t count,
                         Py_ssize_t *batch, double *scratch, int32_t *rows_scratch) {
    Py_ssize_t left = 0;
    if (count <= 0) return 0;
    for (Py_ssize_t p = 0; p < c->count; p++)
        if (c->unscored[p]) scratch[left++] = values[p];
    if (left <= count) {
        Py_ssize_t n = 0;
        for (Py_ssize_t p = 0; p < c->count; p++)
            if (c->unscored[p]) batch[n++] = p;
        return n;
    }
    double cut = select_double(scratch, left, left - count);
    Py_ssize_t n = 0, ties = 0;
    for (Py_ssize_t p = 0; p < c->count; p++) {
        if (!c->unscored[p]) continue;
        if (values[p] > cut) batch[n++] = p;
        else if (values[p] == cut) rows_scratch[ties++] = c->rows[p];
    }
    Py_ssize_t wanted = count - n;
    if (wanted <= 0 || !ties) return n;
    int32_t last_row = ties > wanted ? select_int(rows_scratch, ties, wanted - 1) : INT32_MAX;
    for (Py_ssize_t p = 0; p < c->count && n < count; p++)
        if (c->unscored[p] && values[p] == cut && c->rows[p] <= last_row) batch[n++] = p;
    return n;
}

