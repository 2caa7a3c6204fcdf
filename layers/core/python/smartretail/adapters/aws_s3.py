"""ObjectStore on Amazon S3."""

from typing import IO, Any, Iterator

from .aws_clients import LazyClient, errors_of, translates_errors


class _Body:
    """An object's body whose reads fail as the adapter's calls do: a connection dropped or timed out
    half-way through a read is ServiceUnavailable (the caller retries), not a broken file."""

    def __init__(self, body: Any):
        self._body = body

    def read(self, size: int = -1) -> bytes:
        with errors_of("S3"):
            return self._body.read(size) if size is not None and size >= 0 else self._body.read()

    def close(self) -> None:
        self._body.close()

    def __enter__(self) -> "_Body":
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()


@translates_errors("S3")
class S3ObjectStore:
    _s3 = LazyClient("s3")

    def __init__(self, s3: Any | None = None):
        self._client = s3

    def open_read(self, bucket: str, key: str) -> IO[bytes]:
        return _Body(self._s3.get_object(Bucket=bucket, Key=key)["Body"])

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

    def presigned_get(self, bucket: str, key: str, expires_in: int) -> str:
        return self._s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=expires_in)

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
