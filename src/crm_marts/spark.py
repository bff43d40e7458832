"""Local Spark for the `spark` target (dbt-spark `method: session`).

dbt-spark's session method runs each statement through
`SparkSession.builder.getOrCreate()` inside the dbt process. So the loader and dbt
share one SparkSession when they run in one process, and one on-disk catalogue when
they run one after the other: both configure Spark with `session_config()`, which
puts the embedded Derby metastore, the table files and derby.log under one folder,
`paths.spark_dir()` (warehouse/spark by default, git-ignored). profiles/profiles.yml
passes the same settings as `server_side_parameters`, so a plain
`dbt build --target spark` finds the same tables; a test keeps the two in step.

Derby allows one process at a time: run load, build and parity one after another.
pyspark is an optional dependency (the `spark` extra), imported lazily.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from crm_marts import paths
from crm_marts.errors import InputError

# Setting -> (environment variable, default), as in profiles/profiles.yml.
TUNABLES = {
    "spark.master": ("CRM_MARTS_SPARK_MASTER", "local[*]"),
    "spark.driver.memory": ("CRM_MARTS_SPARK_DRIVER_MEMORY", "4g"),
    "spark.sql.shuffle.partitions": ("CRM_MARTS_SPARK_SHUFFLE_PARTITIONS", "4"),
}


def session_config(spark_dir: Path) -> dict[str, str]:
    """Spark settings of the `spark` target for a metastore and tables in spark_dir."""
    config = {
        key: os.environ.get(env, default) for key, (env, default) in TUNABLES.items()
    }
    config.update(
        {
            "spark.sql.warehouse.dir": f"{spark_dir}/spark-warehouse",
            # Derby resolves databaseName against derby.system.home. The metastore
            # is a rebuildable scratch catalogue: skip its fsyncs (durability=test).
            "spark.driver.extraJavaOptions": (
                f"-Dderby.system.home={spark_dir} -Dderby.system.durability=test"
            ),
            "spark.hadoop.javax.jdo.option.ConnectionURL": (
                "jdbc:derby:;databaseName=metastore_db;create=true"
            ),
            # Timestamps are wall-clock times, as in DuckDB's `timestamp`.
            "spark.sql.session.timeZone": "UTC",
            "spark.sql.legacy.createHiveTableByDefault": "false",
            "spark.ui.enabled": "false",
            "spark.ui.showConsoleProgress": "false",
        }
    )
    return config


def get_session(spark_dir: Path | None = None) -> Any:
    """The process's SparkSession for the `spark` target, started on first use.

    Also exports CRM_MARTS_SPARK_DIR so the dbt profile, rendered later in this
    process, points at the same folder.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise InputError(
            "the spark target needs the spark extra: "
            "pip install -c constraints.txt -e '.[spark]' (or `make test-spark`)."
        ) from exc
    spark_dir = (spark_dir or paths.spark_dir()).resolve()
    spark_dir.mkdir(parents=True, exist_ok=True)
    os.environ[paths.SPARK_DIR_ENV] = str(spark_dir)
    builder = SparkSession.builder.appName("crm_marts").enableHiveSupport()
    for key, value in session_config(spark_dir).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def has_warehouse(spark_dir: Path) -> bool:
    """Whether `crm-marts load --target spark` has created the metastore there."""
    return (spark_dir / "metastore_db").is_dir()
