"""The compiled parts: the profile search (bot/library/profile_kernel.py) and a story's
search words and fingerprint words (bot/store/_words.c), each with a Python form that
runs where there is no C compiler. Everything else about the package is in pyproject.toml;
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
    # A story's words, likewise optional: without it their Python forms run.
    Extension("bot.store._words", sources=["bot/store/_words.c"],
              optional=True, extra_compile_args=["-O2"]),
])
