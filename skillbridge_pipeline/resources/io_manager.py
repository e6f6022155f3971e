"""Tables between assets travel as pandas DataFrames stored as Parquet, one file per batch.

Dagster's UPathIOManager does the paths (local by default, object storage by URL):
`<base>/<asset>/<batch key>.parquet`, which an analyst reads with pandas or DuckDB.
"""

import pandas as pd
from dagster import ConfigurableIOManagerFactory, InputContext, OutputContext, UPathIOManager
from upath import UPath


class _ParquetIOManager(UPathIOManager):
    extension = ".parquet"

    def dump_to_path(self, context: OutputContext, obj: pd.DataFrame, path: UPath) -> None:
        with path.open("wb") as out:
            obj.to_parquet(out, index=False)

    def load_from_path(self, context: InputContext, path: UPath) -> pd.DataFrame:
        with path.open("rb") as source:
            return pd.read_parquet(source)


class ParquetIOManager(ConfigurableIOManagerFactory):
    """Parquet per batch under `base_path` (a local folder or an fsspec URL)."""

    base_path: str

    def create_io_manager(self, context) -> _ParquetIOManager:
        return _ParquetIOManager(base_path=UPath(self.base_path))
