"""Where uploads live: S3-compatible object storage named by a URL, or the disk (MEDIA_ROOT).

Settings call this before Django is set up, so it imports nothing of Django's.
"""

from urllib.parse import urlsplit


class MediaStorageUrlError(ValueError):
    pass


def media_storage(
    url: str, *, endpoint_url: str = "", region_name: str = "", access_key: str = "", secret_key: str = ""
) -> dict:
    """settings.STORAGES["default"] for `url`: s3://<bucket>[/<folder>]; empty: on disk."""
    if not url:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise MediaStorageUrlError("MEDIA_STORAGE_URL must look like s3://bucket or s3://bucket/folder.")
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": parts.netloc,
            "location": parts.path.strip("/"),
            # Unset: boto3 finds them as usual (AWS_ variables, an instance role).
            "endpoint_url": endpoint_url or None,
            "region_name": region_name or None,
            "access_key": access_key or None,
            "secret_key": secret_key or None,
            # Files stay private: the portal reads them and serves them after its permission checks,
            # as it does from disk. Nothing links to the bucket.
            "default_acl": "private",
            "querystring_auth": True,
            # Two uploads of one name never overwrite each other: Django picks a free name.
            "file_overwrite": False,
        },
    }
