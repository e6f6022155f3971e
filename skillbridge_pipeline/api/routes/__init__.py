"""The API's routes, one APIRouter per concern; `api/app.py` includes them."""
