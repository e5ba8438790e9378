"""Thin QObject glue between QML and the services: one user action becomes one service call.

Every class here is registered under the QML module ``Kiosk`` (``import Kiosk``).
"""

QML_IMPORT_NAME = "Kiosk"
QML_IMPORT_MAJOR_VERSION = 1
