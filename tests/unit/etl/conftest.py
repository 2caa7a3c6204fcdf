import pytest


@pytest.fixture(scope="session")
def spark():
    from smartretail.etl.pipeline import local_spark

    session = local_spark("smartretail-tests", shuffle_partitions=2)
    yield session
    session.stop()
