/* Choosing among candidates by value in linear time (numpy's partition, with explicit
 * tie rules where numpy's are its own). */
#include <math.h>
#include <string.h>

#include "kernel.h"

static void swap_d(double *a, double *b) { double t = *a; *a = *b; *b = t; }
static void swap_i(int32_t *a, int32_t *b) { int32_t t = *a; *a = *b; *b = t; }

/* The k-th smallest (0-based) of values[0..n), reordering them (quickselect). */
static double select_double(double *v, Py_ssize_t n, Py_ssize_t k) {
    Py_ssize_t lo = 0, hi = n - 1;
    while (hi > lo) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (v[mid] < v[lo]) swap_d(&v[mid], &v[lo]);
        if (v[hi] < v[lo]) swap_d(&v[hi], &v[lo]);
        if (v[hi] < v[mid]) swap_d(&v[hi], &v[mid]);
        double pivot = v[mid];
        Py_ssize_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot) i++;
            while (pivot < v[j]) j--;
            if (i <= j) { swap_d(&v[i], &v[j]); i++; j--; }
        }
        if (k <= j) hi = j;
        else if (k >= i) lo = i;
        else break;
    }
    return v[k];
}

static int32_t select_int(int32_t *v, Py_ssize_t n, Py_ssize_t k) {
    Py_ssize_t lo = 0, hi = n - 1;
    while (hi > lo) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (v[mid] < v[lo]) swap_i(&v[mid], &v[lo]);
        if (v[hi] < v[lo]) swap_i(&v[hi], &v[lo]);
        if (v[hi] < v[mid]) swap_i(&v[hi], &v[mid]);
        int32_t pivot = v[mid];
        Py_ssize_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot) i++;
            while (pivot < v[j]) j--;
            if (i <= j) { swap_i(&v[i], &v[j]); i++; j--; }
        }
        if (k <= j) hi = j;
        else if (k >= i) lo = i;
        else break;
    }
    return v[k];
}

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

