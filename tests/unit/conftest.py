"""Unit tests run with sockets off; Spark tests (their own JVM) and `loopback` tests (their own
server) may talk to 127.0.0.1 only."""

import pytest
from pytest_socket import disable_socket, enable_socket, socket_allow_hosts


@pytest.fixture(autouse=True)
def _no_network(request):
    if "spark" in request.keywords or "loopback" in request.keywords:
        enable_socket()
        socket_allow_hosts(["127.0.0.1", "localhost", "::1"], allow_unix_socket=True)
    else:
        disable_socket(allow_unix_socket=True)
    yield
    enable_socket()
