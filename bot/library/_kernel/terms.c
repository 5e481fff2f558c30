/* The weighted tag codes of a "for me" profile's stories, each with the weights of the
 * stories carrying it added up: index_gathers.weighted_code_sums in one call instead of
 * some twenty numpy calls, each paying its own way in from cold caches in the running bot
 * (a profile is a few dozen stories, a few hundred tags). The same sums: each code's
 * weights added in input order from 0.0, as numpy's bincount adds them. */
#include <stdlib.h>

#include "kernel.h"

static int by_code_then_place(const void *a, const void *b) {
    const CodeLink *x = a, *y = b;
    if (x->code != y->code) return x->code < y->code ? -1 : 1;
    return (x->at > y->at) - (x->at < y->at);
}

Py_ssize_t code_sums(const int64_t *rows, const double *weights, Py_ssize_t n,
                     const int64_t *tag_start, const int32_t *tag_count,
                     const int32_t *row_tags, const double *kind_weight, CodeLink *links,
                     int64_t *codes, double *sums) {
    Py_ssize_t count = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        const int32_t *tags = row_tags + tag_start[rows[i]];
        for (int32_t t = 0; t < tag_count[rows[i]]; t++) {
            if (!(kind_weight[tags[t]] > 0.0)) continue; /* a kind that weighs nothing */
            links[count].code = tags[t];
            links[count].at = count;
            links[count].weight = weights[i];
            count++;
        }
    }
    qsort(links, (size_t)count, sizeof(CodeLink), by_code_then_place);
    Py_ssize_t distinct = 0;
    for (Py_ssize_t k = 0; k < count; k++) {
        if (k == 0 || links[k].code != links[k - 1].code) {
            codes[distinct] = links[k].code;
            sums[distinct++] = 0.0;
        }
        sums[distinct - 1] += links[k].weight;
    }
    return distinct;
}
