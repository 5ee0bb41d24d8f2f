"""Uploads in S3-compatible object storage (MEDIA_STORAGE_URL), tried against a local S3 server
(moto's), and on disk when it is unset."""

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from moto.server import ThreadedMotoServer

from meetings import services
from pact_portal.media_storage import MediaStorageUrlError, media_storage
from tests.meetings.test_services import PDF, new_meeting

BUCKET = "pact-media"
KEYS = {"access_key": "test-key", "secret_key": "test-secret"}  # noqa: S105 - the local server's


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint):
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="eu-west-2",
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
    )
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def test_without_a_url_uploads_stay_on_disk():
    assert media_storage("") == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


@pytest.mark.parametrize("url", ["https://bucket", "s3://", "bucket"])
def test_it_refuses_a_url_that_names_no_bucket(url):
    with pytest.raises(MediaStorageUrlError):
        media_storage(url)


def test_a_meetings_minutes_go_to_the_bucket_and_come_back(world, settings, bucket, s3_endpoint):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": media_storage(f"s3://{BUCKET}/uploads", endpoint_url=s3_endpoint, region_name="eu-west-2", **KEYS),
    }
    attachment = services.attachment_add(
        meeting=new_meeting(world),
        actor=world.pcso,
        uploaded_file=SimpleUploadedFile("minutes.pdf", PDF),
        kind="minutes",
        is_public=True,
    )
    keys = [item["Key"] for item in bucket.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == [f"uploads/{attachment.file.name}"]
    with attachment.file.open("rb") as stored:
        assert stored.read() == PDF
    grants = bucket.get_object_acl(Bucket=BUCKET, Key=keys[0])["Grants"]
    assert all("URI" not in grant["Grantee"] for grant in grants)  # no AllUsers: private
