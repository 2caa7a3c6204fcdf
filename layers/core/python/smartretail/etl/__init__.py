"""ETL: raw (accepted rows) -> cleaned -> curated, as plain PySpark DataFrame functions."""
