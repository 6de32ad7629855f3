"""The web app: public dashboard, JSON API, downloads and the reviewers' queue.

`create_app(db)` builds one FastAPI (ASGI) app over a `Store`; `raidwatch
serve` runs it with uvicorn. Pages are rendered on the server (Jinja2); the
only scripts are the map and the API docs page, both served by the app
itself from the npm packages installed by `make setup` (no CDN).
"""
from .app import create_app

__all__ = ["create_app"]
