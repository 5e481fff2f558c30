/* The Python entry point of the compiled profile search: the index's arrays through the
 * buffer protocol (no numpy headers needed), checked, searched (search.c), and the page
 * handed back as lists. */
#include <string.h>

#include "kernel.h"

/* ---- the arrays, read through the buffer protocol ------------------------------------ */

#define MAX_BUFFERS 20

typedef struct {
    Py_buffer views[MAX_BUFFERS];
    int held;
} Buffers;

static void release_all(Buffers *b) {
    for (int i = 0; i < b->held; i++) PyBuffer_Release(&b->views[i]);
    b->held = 0;
}

/* kind: 'i' signed integer, 'u' bytes, 'f' float64, '?' bool. None (when optional) gives
 * data NULL and length 0. */
static int take(Buffers *b, PyObject *obj, char kind, Py_ssize_t itemsize, int optional,
                const char *name, const void **data, Py_ssize_t *length) {
    *data = NULL;
    *length = 0;
    if (obj == Py_None && optional) return 0;
    if (b->held == MAX_BUFFERS) {
        PyErr_SetString(PyExc_RuntimeError, "too many arrays");
        return -1;
    }
    Py_buffer *view = &b->views[b->held];
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) return -1;
    b->held++;
    const char *format = view->format ? view->format : "B";
    if (*format == '<' || *format == '=' || *format == '@') format++;
    int ok = view->ndim == 1 && format[0] && !format[1];
    if (ok && kind == 'i') ok = strchr("bhilq", format[0]) != NULL;
    if (ok && kind == 'u') ok = format[0] == 'B';
    if (ok && kind == 'f') ok = format[0] == 'd';
    if (ok && kind == '?') ok = format[0] == '?';
    if (ok && itemsize) ok = view->itemsize == itemsize;
    if (!ok) {
        PyErr_Format(PyExc_TypeError, "%s: unexpected array type (%s, %zd bytes)", name,
                     view->format ? view->format : "?", view->itemsize);
        return -1;
    }
    *data = view->buf;
    *length = view->shape[0];
    return 0;
}

/* ---- the Python entry point ------------------------------------------------------------- */

static const char search_doc[] =
    "search(arrays, settings) -> (rows, scores, more_by_author, more_in_series, exact, "
    "candidates, scored)\n\n"
    "The page of a profile search (see bot/library/profile_search.py, which calls it).";

static PyObject *py_search(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *codes, *member_ends, *weights, *term_of_, *shared, *shared_start, *shared_count,
        *own, *records, *row_tags, *author_start, *author_count, *row_authors, *series,
        *tie_ranks, *rating_mask, *guild_mask, *banned, *left_out;
    Py_ssize_t limit, budget, max_budget, unproven, first, max_scored, growth, per_author,
        per_series;
    double slack, length_free;
    int grow_unprovable, code_ordered;
    if (!PyArg_ParseTuple(args, "(OOOOOOOOOOOOOOOOOOO)(nnnnnnnnnddpp):search", &codes,
                          &member_ends, &weights, &term_of_, &shared, &shared_start,
                          &shared_count, &own, &records, &row_tags, &author_start,
                          &author_count, &row_authors, &series, &tie_ranks, &rating_mask,
                          &guild_mask, &banned, &left_out, &limit, &budget, &max_budget,
                          &unproven, &first, &max_scored, &growth, &per_author, &per_series,
                          &slack, &length_free, &grow_unprovable, &code_ordered))
        return NULL;
    Buffers b = {.held = 0};
    Search s = {0};
    PyObject *result = NULL, *own_items = NULL;
    Py_buffer *own_views = NULL;
    Py_ssize_t own_held = 0;
    Page page = {0};
    Outcome outcome = {0};
    Py_ssize_t n_codes, n_weights, n_term_of, n_shared, n_starts, n_counts, n_rows, ignored;
    Py_ssize_t n_row_tags, n_row_authors, n_record_bytes;
    const void *p;
    const int64_t *member_codes, *ends;
    const int32_t *s_shared;
    const int64_t *s_shared_start, *s_shared_count;
    Py_ssize_t n_ends;
    /* Each array in turn (the order the per-row check below counts on), into `target`. */
#define TAKE(obj, kind, size, optional, target, length)                                    \
    if (take(&b, obj, kind, size, optional, #obj, &p, length) < 0) goto fail;             \
    target = p;
    TAKE(codes, 'i', 8, 0, member_codes, &n_codes)
    TAKE(weights, 'f', 8, 0, s.weights, &n_weights)
    TAKE(term_of_, 'i', 0, 0, s.term_of, &n_term_of)
    s.term_of_size = b.views[b.held - 1].itemsize;
    TAKE(shared, 'i', 4, 0, s_shared, &n_shared)
    TAKE(shared_start, 'i', 8, 0, s_shared_start, &n_starts)
    TAKE(shared_count, 'i', 8, 0, s_shared_count, &n_counts)
    TAKE(records, 'u', 1, 0, s.rec, &n_record_bytes)
    TAKE(row_tags, 'i', 4, 0, s.row_tags, &n_row_tags)
    TAKE(author_start, 'i', 8, 0, s.author_start, &n_rows)
    TAKE(author_count, 'i', 4, 0, s.author_count, &ignored)
    TAKE(row_authors, 'i', 4, 0, s.row_authors, &n_row_authors)
    TAKE(series, 'i', 4, 0, s.series, &ignored)
    TAKE(tie_ranks, 'i', 8, 0, s.tie_ranks, &ignored)
    TAKE(rating_mask, '?', 1, 1, s.rating_mask, &s.rating_mask_size)
    TAKE(guild_mask, '?', 1, 1, s.guild_mask, &s.guild_mask_size)
    TAKE(banned, 'i', 8, 0, s.banned, &s.banned_count)
    TAKE(left_out, 'i', 8, 0, s.left_out, &s.left_out_count)
    TAKE(member_ends, 'i', 8, 1, ends, &n_ends)
#undef TAKE
    /* Every per-row array (the views taken 8, 9, 11 and 12: author_start counts the rows)
     * and the records cover the rows. What the index holds is trusted beyond that: its
     * rows, tag codes and slices agree (the numpy search would raise an IndexError where
     * this would read out of bounds). */
    static const int per_row[] = {9, 11, 12};
    for (size_t i = 0; i < sizeof per_row / sizeof per_row[0]; i++) {
        if (b.views[per_row[i]].shape[0] < n_rows) {
            PyErr_SetString(PyExc_ValueError, "per-row arrays of different lengths");
            goto fail;
        }
    }
    if (n_record_bytes < n_rows * (Py_ssize_t)sizeof(RowRecord)
        || (uintptr_t)s.rec % _Alignof(RowRecord)) {
        PyErr_SetString(PyExc_ValueError, "row records: too few, or not aligned");
        goto fail;
    }
    /* codes: each term's tag codes in turn, one each unless member_ends says where each
     * term's end (a server tag's members) */
    Py_ssize_t n_terms = n_weights;
    if (n_terms < 1 || n_starts != n_counts || limit < 1
        || s.term_of_size > 4 || (ends ? n_ends != n_terms : n_codes != n_terms)) {
        PyErr_SetString(PyExc_ValueError, "inconsistent search arrays");
        goto fail;
    }
    Py_ssize_t *member_end = PyMem_Calloc((size_t)n_terms, sizeof(Py_ssize_t));
    const int32_t **member_rows = PyMem_Calloc((size_t)n_codes + 1, sizeof(int32_t *));
    int64_t *member_length = PyMem_Calloc((size_t)n_codes + 1, sizeof(int64_t));
    int64_t *term_length = PyMem_Calloc((size_t)n_terms, sizeof(int64_t));
    s.member_end = member_end;
    s.member_rows = member_rows;
    s.member_length = member_length;
    s.term_length = term_length;
    if (!member_end || !member_rows || !member_length || !term_length) {
        PyErr_NoMemory();
        goto fail;
    }
    for (Py_ssize_t t = 0; t < n_terms; t++) {
        member_end[t] = ends ? (Py_ssize_t)ends[t] : t + 1;
        if (member_end[t] < (t ? member_end[t - 1] : 0) || member_end[t] > n_codes
            || (t == n_terms - 1 && member_end[t] != n_codes)) {
            PyErr_SetString(PyExc_ValueError, "member_ends out of order");
            goto fail;
        }
    }
    /* the members with lists of their own: (member, rows) pairs */
    own_items = PySequence_Fast(own, "own posting lists: a sequence");
    if (!own_items) goto fail;
    Py_ssize_t own_count = PySequence_Fast_GET_SIZE(own_items);
    own_views = PyMem_Calloc((size_t)(own_count + 1), sizeof(Py_buffer));
    if (!own_views) { PyErr_NoMemory(); goto fail; }
    for (Py_ssize_t k = 0; k < own_count; k++) {
        PyObject *pair = PySequence_Fast_GET_ITEM(own_items, k), *list;
        Py_ssize_t member;
        if (!PyArg_ParseTuple(pair, "nO:own", &member, &list)) goto fail;
        if (member < 0 || member >= n_codes || member_rows[member]) {
            PyErr_SetString(PyExc_ValueError, "own posting lists: a code out of range");
            goto fail;
        }
        Py_buffer *view = &own_views[own_held];
        if (PyObject_GetBuffer(list, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) goto fail;
        own_held++;
        if (view->ndim != 1 || view->itemsize != 4 || !view->format
            || !strchr("ilb", view->format[strlen(view->format) - 1])) {
            PyErr_SetString(PyExc_TypeError, "own posting lists: int32 arrays");
            goto fail;
        }
        member_rows[member] = view->buf;
        member_length[member] = view->shape[0];
    }
    for (Py_ssize_t i = 0, t = 0; i < n_codes; i++) {
        int64_t code = member_codes[i];
        if (code < 0 || code >= n_term_of) {
            PyErr_SetString(PyExc_ValueError, "a tag code out of range");
            goto fail;
        }
        if (!member_rows[i]) {
            if (code >= n_starts || s_shared_start[code] + s_shared_count[code] > n_shared) {
                PyErr_SetString(PyExc_ValueError, "a tag code with no posting list");
                goto fail;
            }
            member_rows[i] = s_shared + s_shared_start[code];
            member_length[i] = s_shared_count[code];
        }
        while (member_end[t] <= i) t++;
        term_length[t] += member_length[i];
    }
    s.code_ordered = code_ordered;
    s.terms = n_terms;
    s.limit = limit;
    s.unproven_scored = unproven;
    s.first_scored = first;
    s.max_scored = max_scored;
    s.growth = growth;
    s.slack = slack;
    s.length_free_tags = length_free;
    s.grow_unprovable = grow_unprovable;
    s.max_per_author = per_author;
    s.max_per_series = per_series;
    (void)n_row_tags;
    (void)n_row_authors;

    page.row = PyMem_Malloc((size_t)limit * sizeof(int32_t));
    page.score = PyMem_Malloc((size_t)limit * sizeof(double));
    page.more_by_author = PyMem_Malloc((size_t)limit * sizeof(Py_ssize_t));
    page.more_in_series = PyMem_Malloc((size_t)limit * sizeof(Py_ssize_t));
    if (!page.row || !page.score || !page.more_by_author || !page.more_in_series) {
        PyErr_NoMemory();
        goto fail;
    }
    if (profile_search(&s, budget, max_budget, &page, &outcome) < 0) goto fail;
    PyObject *rows = PyList_New(page.count), *scores = PyList_New(page.count);
    PyObject *by_author = PyList_New(page.count), *in_series = PyList_New(page.count);
    if (rows && scores && by_author && in_series) {
        for (Py_ssize_t i = 0; i < page.count; i++) {
            PyList_SET_ITEM(rows, i, PyLong_FromLong(page.row[i]));
            PyList_SET_ITEM(scores, i, PyFloat_FromDouble(page.score[i]));
            PyList_SET_ITEM(by_author, i, PyLong_FromSsize_t(page.more_by_author[i]));
            PyList_SET_ITEM(in_series, i, PyLong_FromSsize_t(page.more_in_series[i]));
        }
        result = Py_BuildValue("(NNNNOnn)", rows, scores, by_author, in_series,
                               outcome.exact ? Py_True : Py_False, outcome.candidates,
                               outcome.scored);
    } else {
        Py_XDECREF(rows); Py_XDECREF(scores); Py_XDECREF(by_author); Py_XDECREF(in_series);
    }
fail:
    PyMem_Free(page.row); PyMem_Free(page.score); PyMem_Free(page.more_by_author);
    PyMem_Free(page.more_in_series);
    PyMem_Free((void *)s.member_end);
    PyMem_Free((void *)s.member_rows);
    PyMem_Free((void *)s.member_length);
    PyMem_Free((void *)s.term_length);
    for (Py_ssize_t k = 0; k < own_held; k++) PyBuffer_Release(&own_views[k]);
    PyMem_Free(own_views);
    Py_XDECREF(own_items);
    release_all(&b);
    return result;
}

static PyMethodDef methods[] = {
    {"search", py_search, METH_VARARGS, search_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_profile_kernel",
    "The profile search compiled (see bot/library/profile_search.py).", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__profile_kernel(void) { return PyModule_Create(&module); }
