"""Finding the ETL's inputs and writing its report in the data lake on S3, shared by the Glue job and
the local run of the same job."""

import json
from typing import Any, Iterator

from ..lake import ACCEPTED_PREFIX, accepted_prefix, quality_report_key


def keys_under(s3: Any, bucket: str, prefix: str) -> Iterator[str]:
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            yield obj["Key"]


def tenants_with_accepted_rows(s3: Any, bucket: str) -> list[str]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"{ACCEPTED_PREFIX}/", Delimiter="/")
    return sorted(p["Prefix"].split("/")[1] for page in pages for p in page.get("CommonPrefixes", []))


def accepted_keys(s3: Any, bucket: str, tenant_id: str, datasets: tuple[str, ...]) -> dict[str, list[str]]:
    return {d: list(keys_under(s3, bucket, accepted_prefix(tenant_id, d))) for d in datasets}


def put_quality_report(s3: Any, bucket: str, tenant_id: str, run_id: str, body: str) -> None:
    s3.put_object(Bucket=bucket, Key=quality_report_key(tenant_id, run_id), Body=body.encode(), ContentType="application/json")


def read_json(s3: Any, bucket: str, key: str) -> Any:
    return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())


def read_lines_under(s3: Any, bucket: str, prefix: str) -> Iterator[str]:
    """The text lines of every object under a prefix, one object at a time (batch forecast output)."""
    for key in keys_under(s3, bucket, prefix):
        for line in s3.get_object(Bucket=bucket, Key=key)["Body"].iter_lines():
            yield line.decode()
