"""The compiled parts: the profile search (bot/library/profile_kernel.py) and the search
words of a story (bot/store/search_words.py), each with a Python form that runs where
there is no C compiler. Everything else about the package is in pyproject.toml;
setuptools reads both."""

from setuptools import Extension, setup

setup(ext_modules=[
    Extension(
        "bot.library._profile_kernel",
        sources=[f"bot/library/_kernel/{name}.c"
                 for name in ("module", "search", "page", "select")],
        depends=["bot/library/_kernel/kernel.h"],
        # Without a C compiler the install goes on without it, and the numpy search runs.
        optional=True,
        # No multiply and add contracted into one instruction (the default for gcc on some
        # machines): the scores must be bit-equal to numpy's.
        extra_compile_args=["-O2", "-ffp-contract=off"],
    ),
    # A folder import's search words, likewise optional: without it the Python form runs.
    Extension("bot.store._search_words", sources=["bot/store/_search_words.c"],
              optional=True, extra_compile_args=["-O2"]),
])
