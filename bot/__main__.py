"""`python -m bot`: the storybot command line."""


def main() -> None:
    # Imported here, not at the top: the `storybot` script imports this module, and so does
    # every worker of a folder import's parsing pool (multiprocessing re-runs the script to
    # set up `__main__`); a worker needs none of the command line (about 0.8 s of imports).
    from bot.cli import app

    app()


if __name__ == "__main__":
    main()
