/* A story's words as the store keeps them, each in one pass over the text's bytes: the
 * distinct words of its search row (search_words.py) and the words its fingerprint hashes
 * (story_rows.content_hash). Each has a Python form, the reference the tests hold this to
 * (tests/store/test_search_words.py, test_fingerprint_words.py), which runs where there is
 * no C compiler.
 *
 * The search words: in Python each word is cut out as a bytes object and counted in a
 * dict, for a small story of 1,150 words 0.1 ms of the 1.3 ms a folder import spends
 * reading it. Here each word is folded and looked up where it lies, in a small hash table
 * of the words kept so far, and only the result is built. An ASCII capital is made small,
 * every other ASCII byte but a letter or digit cuts, and any byte of a multi-byte
 * character (>= 0x80) is kept as it is. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* Per byte: what it becomes in a search word, or 0 where it cuts. */
static unsigned char folded[256];

/* Per byte of ASCII text: what it becomes in a fingerprint's word (\w casefolded: a
 * letter small, a digit, an underscore), or 0 where it cuts. */
static unsigned char fingerprint_folded[256];

static void fill_tables(void) {
    for (int byte = 0; byte < 256; byte++) {
        int small = byte >= 'a' && byte <= 'z', digit = byte >= '0' && byte <= '9';
        int capital = byte >= 'A' && byte <= 'Z';
        unsigned char lowered = (unsigned char)(capital ? byte - 'A' + 'a' : byte);
        folded[byte] = (byte >= 0x80 || small || digit || capital) ? lowered : 0;
        fingerprint_folded[byte] = (small || digit || capital || byte == '_') ? lowered : 0;
    }
}

/* A word kept: where it lies in the result, and its hash (to skip most comparisons). */
typedef struct {
    Py_ssize_t start;
    Py_ssize_t length;
    uint64_t hash;
} Kept;

typedef struct {
    Kept *slots; /* length 0: empty */
    size_t mask;  /* slots - 1, a power of two less one */
    size_t used;
} Table;

static int grow(Table *table) {
    size_t size = (table->mask + 1) * 2;
    Kept *slots = PyMem_Calloc(size, sizeof(Kept));
    if (slots == NULL) return -1;
    for (size_t i = 0; i <= table->mask; i++) {
        Kept *old = &table->slots[i];
        if (old->length == 0) continue;
        size_t at = (size_t)old->hash & (size - 1);
        while (slots[at].length != 0) at = (at + 1) & (size - 1);
        slots[at] = *old;
    }
    PyMem_Free(table->slots);
    table->slots = slots;
    table->mask = size - 1;
    return 0;
}

/* What an entry point does between taking its bytes and handing back the result: write
 * the words into out (never more than size bytes: each word written is one of the text's,
 * and each space between two stands for at least one cut between them) and say how many
 * bytes it wrote, or -1 when out of memory. */
typedef Py_ssize_t (*WordsInto)(const unsigned char *data, Py_ssize_t size,
                                unsigned char *out);

static PyObject *words_of(PyObject *arg, WordsInto words_into) {
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0) return NULL;
    PyObject *result = PyBytes_FromStringAndSize(NULL, view.len);
    Py_ssize_t written = 0;
    if (result != NULL) {
        written = words_into(view.buf, view.len, (unsigned char *)PyBytes_AS_STRING(result));
        if (written < 0) {
            Py_CLEAR(result);
            PyErr_NoMemory();
        }
    }
    PyBuffer_Release(&view);
    if (result != NULL && _PyBytes_Resize(&result, written) < 0) return NULL;
    return result;
}

/* Each word is folded into place after what is written (and a space), then kept or, when
 * it was met before, left to be written over. */
static Py_ssize_t distinct_words_into(const unsigned char *data, Py_ssize_t size,
                                      unsigned char *out) {
    Table table = {PyMem_Calloc(256, sizeof(Kept)), 255, 0};
    if (table.slots == NULL) return -1;
    Py_ssize_t written = 0;
    Py_ssize_t at = 0;
    while (at < size) {
        while (at < size && folded[data[at]] == 0) at++;
        if (at == size) break;
        Py_ssize_t start = written ? written + 1 : 0;
        Py_ssize_t length = 0;
        uint64_t hash = 14695981039346656037ULL; /* FNV-1a */
        unsigned char byte;
        while (at < size && (byte = folded[data[at]]) != 0) {
            out[start + length++] = byte;
            hash = (hash ^ byte) * 1099511628211ULL;
            at++;
        }
        size_t slot = (size_t)hash & table.mask;
        int seen = 0;
        while (table.slots[slot].length != 0) {
            Kept *kept = &table.slots[slot];
            if (kept->hash == hash && kept->length == length &&
                memcmp(out + kept->start, out + start, (size_t)length) == 0) {
                seen = 1;
                break;
            }
            slot = (slot + 1) & table.mask;
        }
        if (seen) continue;
        table.slots[slot] = (Kept){start, length, hash};
        if (written) out[written] = ' ';
        written = start + length;
        if (++table.used * 2 > table.mask + 1 && grow(&table) < 0) {
            written = -1;
            break;
        }
    }
    PyMem_Free(table.slots);
    return written;
}

/* The fingerprint's words, for ASCII text: in Python a translate, a split at each run of
 * two spaces, a strip of each piece and a join, four passes and a bytes object a piece. */
static Py_ssize_t ascii_words_into(const unsigned char *data, Py_ssize_t size,
                                   unsigned char *out) {
    Py_ssize_t written = 0;
    Py_ssize_t at = 0;
    while (at < size) {
        while (at < size && fingerprint_folded[data[at]] == 0) at++;
        if (at == size) break;
        if (written) out[written++] = ' ';
        unsigned char byte;
        while (at < size && (byte = fingerprint_folded[data[at]]) != 0) {
            out[written++] = byte;
            at++;
        }
    }
    return written;
}

static const char distinct_words_doc[] =
    "distinct_words(data: bytes) -> bytes\n\n"
    "The words of UTF-8 text, folded (bot/store/search_words.py), each once in order of "
    "first appearance, one space apart.";

static PyObject *distinct_words(PyObject *module, PyObject *arg) {
    (void)module;
    return words_of(arg, distinct_words_into);
}

static const char ascii_words_doc[] =
    "ascii_words(data: bytes) -> bytes\n\n"
    "The runs of \\w in ASCII text, casefolded, joined by single spaces: what "
    "story_rows.content_hash hashes of a chapter. A byte outside ASCII cuts.";

static PyObject *ascii_words(PyObject *module, PyObject *arg) {
    (void)module;
    return words_of(arg, ascii_words_into);
}

static PyMethodDef methods[] = {
    {"distinct_words", distinct_words, METH_O, distinct_words_doc},
    {"ascii_words", ascii_words, METH_O, ascii_words_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef words_module = {
    PyModuleDef_HEAD_INIT, "_words",
    "A story's search words and fingerprint words, compiled.", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__words(void) {
    fill_tables();
    return PyModule_Create(&words_module);
}
