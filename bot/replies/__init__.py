"""One reply model for every channel (model.py) and a renderer per channel (render.py)."""
