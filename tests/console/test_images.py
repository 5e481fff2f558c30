"""Images inline only where the terminal says it can draw them."""

from __future__ import annotations

import base64

from sandbox.console_images import PNG_SIGNATURE, image_protocol, inline_image

PNG = PNG_SIGNATURE + b"\x00" * 5000


def test_the_protocol_comes_from_the_terminal() -> None:
    assert image_protocol({"TERM_PROGRAM": "iTerm.app"}) == "iterm"
    assert image_protocol({"TERM": "xterm-kitty"}) == "kitty"
    assert image_protocol({"TERM": "xterm-256color"}) is None


def test_sequences_carry_the_whole_png() -> None:
    iterm = inline_image(PNG, "chart.png", "iterm")
    assert iterm is not None and iterm.startswith("\x1b]1337;File=")
    assert base64.b64decode(iterm.split(":", 1)[1].rstrip("\x07\n")) == PNG
    kitty = inline_image(PNG, "chart.png", "kitty")
    assert kitty is not None and kitty.startswith("\x1b_Ga=T,f=100,m=1;")
    chunks = [part.split(";", 1)[1] for part in kitty.strip().split("\x1b\\") if part]
    assert base64.b64decode("".join(chunks)) == PNG
    assert inline_image(b"not a png", "x.csv", "kitty") is None
    assert inline_image(PNG, "chart.png", None) is None
