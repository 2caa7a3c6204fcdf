"""ObjectStore on Amazon S3."""

from typing import IO, Any, Iterator

from .aws_clients import LazyClient, translates_errors


@translates_errors("S3")
class S3ObjectStore:
    _s3 = LazyClient("s3")

    def __init__(self, s3: Any | None = None):
        self._client = s3

    def open_read(self, bucket: str, key: str) -> IO[bytes]:
        return self._s3.get_object(Bucket=bucket, Key=key)["Body"]

    def read_if_exists(self, bucket: str, key: str) -> bytes | None:
        try:
            return self._s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        except self._s3.exceptions.NoSuchKey:
            return None

    def keys(self, bucket: str, prefix: str) -> Iterator[str]:
        for page in self._s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for obj in page.get("Contents", []):
                yield obj["Key"]

    def child_prefixes(self, bucket: str, prefix: str) -> list[str]:
        pages = self._s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix, Delimiter="/")
        return sorted(p["Prefix"] for page in pages for p in page.get("CommonPrefixes", []))

    def put_bytes(self, bucket: str, key: str, data: bytes, content_type: str = "application/json") -> None:
        self._s3.put_object(Bucket=bucket, Key=key, Body=data, ContentType=content_type)

    def put_file(self, bucket: str, key: str, path: str, content_type: str) -> None:
        self._s3.upload_file(path, bucket, key, ExtraArgs={"ContentType": content_type})

    def presigned_post(
        self, bucket: str, key: str, content_type: str, max_bytes: int, expires_in: int
    ) -> dict[str, Any]:
        # The policy pins the exact key, the content type and a size range: the URL cannot be used
        # to write anywhere else, or anything larger.
        return self._s3.generate_presigned_post(
            Bucket=bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[
                {"Content-Type": content_type},
                ["content-length-range", 1, max_bytes],
            ],
            ExpiresIn=expires_in,
        )
