"""campaign-kiosk screenshot: render one screen offscreen into a PNG."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from kiosk.commands.context import CommandContext, UsageError

NAME = "screenshot"
HELP = "render a screen offscreen into a PNG (for docs and for checking the UI by eye)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from kiosk.bridge.controller import SCREENS

    parser.add_argument("out", metavar="OUT.png", help="where to write the PNG")
    parser.add_argument("--screen", default="attract", choices=SCREENS, help="which screen (default: attract)")
    parser.add_argument("--size", default="1280x800", help="window size WIDTHxHEIGHT (default: 1280x800)")
    parser.add_argument("--campaign", metavar="PATH_OR_NAME", help="campaign pack folder or bundled pack name")


def parse_size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{3,4})x(\d{3,4})", text)
    if not match:
        raise UsageError(f"--size must look like 1280x800, got {text!r}")
    return int(match[1]), int(match[2])


def run(args: argparse.Namespace, ctx: CommandContext) -> int:
    from kiosk.app import render_screenshot

    size = parse_size(args.size)
    out = render_screenshot(ctx.options(campaign=args.campaign), Path(args.out), screen=args.screen, size=size)
    print(f"wrote {out} ({size[0]}x{size[1]}, screen {args.screen})")
    return 0
