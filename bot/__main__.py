"""`python -m bot`: the storybot command line."""

from bot.cli import app


def main() -> None:
    app()


if __name__ == "__main__":
    main()
