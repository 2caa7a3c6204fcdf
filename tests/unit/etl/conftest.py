import pytest


@pytest.fixture(scope="session")
def spark():
    from smartretail.etl.pipeline import local_spark

    session = local_spark("smartretail-tests", shuffle_partitions=2)
    yield session
    session.stop()


def pytest_collection_modifyitems(items):
    for item in items:
        item.add_marker(pytest.mark.spark)
