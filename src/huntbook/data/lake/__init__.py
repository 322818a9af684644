"""The local lake: Parquet tables with Sentinel names, queried with DuckDB."""
