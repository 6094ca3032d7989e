"""ASGI entry point for uvicorn workers: the app over the warehouse named by SOUSEI_DB."""

from sousei import config
from sousei.web.app import create_app

app = create_app(config.db_path())
