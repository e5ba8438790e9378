#!/usr/bin/env sh
# Start the kiosk as the only application of a cage Wayland session (apt-get install cage).
# Escape keys are ignored by the kiosk itself; cage has no other windows to switch to.
exec cage -s -- "${KIOSK_BIN:-campaign-kiosk}" run --fullscreen "$@"
