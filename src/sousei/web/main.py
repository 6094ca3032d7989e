"""ASGI entry point for uvicorn workers: the app over the warehouse named by SOUSEI_DB, following its rebuilds."""

from sousei.web.live import from_environment

app = from_environment()
