"""Tables between assets travel as pandas DataFrames stored as Parquet, one file per partition.

Dagster's UPathIOManager does the paths (local by default, object storage by URL); this adds
what a single-run batch over many partitions needs: the asset returns {partition key:
DataFrame} and each partition lands in its own file, and inputs always arrive as such a dict.
"""

from typing import Any

import pandas as pd
from dagster import ConfigurableIOManagerFactory, InputContext, OutputContext, UPathIOManager
from upath import UPath


class _ParquetPartitionsIOManager(UPathIOManager):
    extension = ".parquet"

    def dump_to_path(self, context: OutputContext, obj: pd.DataFrame, path: UPath) -> None:
        with path.open("wb") as out:
            obj.to_parquet(out, index=False)

    def load_from_path(self, context: InputContext, path: UPath) -> pd.DataFrame:
        with path.open("rb") as source:
            return pd.read_parquet(source)

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        if not (context.has_asset_partitions and isinstance(obj, dict)):
            return super().handle_output(context, obj)
        paths = self._get_paths_for_partitions(context)
        missing = set(paths) - set(obj)
        if missing:
            raise ValueError(f"no output for partitions {sorted(missing)[:5]}")
        for key, path in paths.items():
            self.make_directory(path.parent)
            self.dump_to_path(context=context, obj=obj[key], path=path)
        context.add_output_metadata({"partitions_written": len(paths)})

    def load_partitions(self, context: InputContext) -> dict[str, pd.DataFrame]:
        paths = self._get_paths_for_partitions(context)
        return {key: self.load_from_path(context, path) for key, path in paths.items()}


class ParquetIOManager(ConfigurableIOManagerFactory):
    """Parquet per partition under `base_path` (a local folder or an fsspec URL)."""

    base_path: str

    def create_io_manager(self, context) -> _ParquetPartitionsIOManager:
        return _ParquetPartitionsIOManager(base_path=UPath(self.base_path))
