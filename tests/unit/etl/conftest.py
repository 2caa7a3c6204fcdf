import pytest


@pytest.fixture
def spark(spark_session):
    """The suite's one local Spark session (tests/conftest.py), under the name these tests use."""
    return spark_session
